import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { waitFor } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import type { ClusterInit, ClusterTiming } from '../src/index.js'

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'node.js')

/** Wall time in ms with sub-ms precision, comparable with the `t` the node processes print. */
export function wallNow (): number {
  return performance.timeOrigin + performance.now()
}

/** One line a node process printed (see fixtures/node.ts). */
export interface NodeEvent {
  event: string
  t: number
  [key: string]: unknown
}

/**
 * What every benchmark node runs with besides its timing preset (the
 * cluster's `fast` unless a benchmark says otherwise): SWIM `local`, a
 * cluster token, and zeroconf off.
 */
export const BENCH_NODE = {
  swimPreset: 'local',
  token: 'bench-cluster-token',
  zeroconf: false
} as const satisfies Partial<ClusterInit>

/** A cluster node running `fixtures/node.js` in a child process, with what it said so far. */
export class BenchNode {
  readonly id: string
  readonly child: ChildProcess
  readonly events: NodeEvent[] = []
  readonly exited: Promise<void>
  ended = false
  stderr = ''
  /** The latest state, role, leader and committed map it reported. */
  state = 'Starting'
  role = 'NonMember'
  leaderId: string | undefined
  version = 0
  members: string[] = []

  constructor (init: ClusterInit & { nodeId: string }) {
    this.id = init.nodeId
    this.child = spawn(process.execPath, [FIXTURE, JSON.stringify(init)], { stdio: ['pipe', 'pipe', 'pipe'] })
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', line => {
      let e: NodeEvent
      try { e = JSON.parse(line) as NodeEvent } catch { this.stderr += `stdout: ${line}\n`; return }
      this.events.push(e)
      if (e.event === 'state') this.state = e.state as string
      if (e.event === 'role') this.role = e.role as string
      if (e.event === 'leader') this.leaderId = (e.leaderId as string | null) ?? undefined
      if (e.event === 'shards') { this.version = e.version as number; this.members = [...(e.members as string[])].sort() }
    })
    this.child.stderr?.on('data', (chunk: Buffer) => { this.stderr += chunk.toString() })
    this.exited = new Promise(resolve => { this.child.on('exit', () => { this.ended = true; resolve() }) })
  }

  /** Waits for the node to listen. */
  async ready (timeoutMs = 20_000): Promise<void> {
    await waitFor(() => this.events.some(e => e.event === 'ready') || (this.ended ? Promise.reject(new Error(`${this.id} exited: ${this.stderr}`)) : false),
      { timeoutMs, what: `${this.id} to start` })
  }

  /** Its management endpoint, `host:port` (once ready). */
  get address (): string {
    return (this.events.find(e => e.event === 'ready')?.management as string | undefined) ?? ''
  }

  /** The first event at or after index `from` that `match` accepts. */
  find (from: number, match: (e: NodeEvent) => boolean): NodeEvent | undefined {
    for (let i = from; i < this.events.length; i++) {
      const e = this.events[i] as NodeEvent
      if (match(e)) return e
    }
    return undefined
  }

  /** `kill -9`; returns the wall time just before the signal. */
  kill9 (): number {
    const t = wallNow()
    if (!this.ended) this.child.kill('SIGKILL')
    return t
  }

  /** SIGSTOP: the process freezes, its sockets stay open (a long pause, as in a stuck host). */
  pause (): void {
    this.child.kill('SIGSTOP')
  }

  /** SIGCONT after `pause()`. */
  resume (): void {
    this.child.kill('SIGCONT')
  }

  /** Stops the node gracefully (it leaves SWIM, hands over leadership) and waits for the process to end. */
  async stop (timeoutMs = 15_000): Promise<void> {
    if (this.ended) return
    this.child.stdin?.write('stop\n')
    try {
      await waitFor(() => this.ended, { timeoutMs, what: `${this.id} to exit` })
    } catch (err) {
      this.kill9()
      await this.exited
      throw err
    }
  }
}

/** Options of a benchmark cluster. */
export interface BenchClusterInit {
  /** Nodes started at once (bootstrapExpect); the lowest id bootstraps them. */
  size: number
  shards: number
  /** The cluster timing preset of every node. Default `'fast'`. */
  timing?: ClusterTiming
}

/**
 * Node processes of one cluster on 127.0.0.1, each with fixed ports and a
 * data directory of its own, so a killed node restarts where it was.
 */
export class BenchCluster {
  readonly nodes = new Map<string, BenchNode>()
  private readonly inits = new Map<string, ClusterInit & { nodeId: string }>()
  private readonly dirs: string[] = []
  private readonly shards: number
  private readonly timing: ClusterTiming

  private constructor (shards: number, timing: ClusterTiming) {
    this.shards = shards
    this.timing = timing
  }

  /**
   * Starts `size` nodes n1..n<size> and waits until every one is Operational
   * on one map of them all. A port taken between finding it free and
   * binding it (the machine is shared) makes a node exit: the whole start
   * is then tried again on other ports, up to three times.
   */
  static async start (init: BenchClusterInit): Promise<BenchCluster> {
    for (let attempt = 1; ; attempt++) {
      const c = new BenchCluster(init.shards, init.timing ?? 'fast')
      try {
        const ids = Array.from({ length: init.size }, (_, i) => `n${i + 1}`)
        for (const id of ids) await c.prepare(id, { bootstrapExpect: init.size })
        for (const id of ids) c.launch(id)
        await Promise.all(ids.map(async id => { await c.node(id).ready() }))
        await c.agreed(ids, 60_000)
        return c
      } catch (err) {
        await c.close()
        if (attempt === 3) throw err
      }
    }
  }

  /** Creates node `id` (fresh data directory, free ports) and starts its process. */
  async add (id: string, extra: Partial<ClusterInit> = {}): Promise<BenchNode> {
    await this.prepare(id, extra)
    return this.launch(id)
  }

  /** Creates node `id`'s options: a fresh data directory and free ports. */
  private async prepare (id: string, extra: Partial<ClusterInit>): Promise<void> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-bench-'))
    this.dirs.push(dataDir)
    const [swimPort, raftPort, livenessPort, managementPort] = await freePorts(4) as [number, number, number, number]
    this.inits.set(id, {
      name: 'bench',
      nodeId: id,
      dataDir,
      host: '127.0.0.1',
      swimPort,
      raftPort,
      livenessPort,
      managementPort,
      shards: this.shards,
      timing: this.timing,
      ...BENCH_NODE,
      ...extra
    })
  }

  /** Starts node `id`'s process (again: with its data directory and ports), every other node as its SWIM seeds. */
  launch (id: string): BenchNode {
    const init = this.inits.get(id)
    if (init === undefined) throw new Error(`no node ${id}`)
    // Every other node of the cluster is a SWIM seed, as with a static seed list.
    const join = [...this.inits.values()].filter(i => i.nodeId !== id).map(i => `127.0.0.1:${i.swimPort as number}`)
    const node = new BenchNode({ ...init, join })
    this.nodes.set(id, node)
    return node
  }

  node (id: string): BenchNode {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  /** The nodes whose process runs. */
  live (): BenchNode[] {
    return [...this.nodes.values()].filter(n => !n.ended)
  }

  /** The leader every live node agrees on. */
  async leader (timeoutMs = 10_000): Promise<BenchNode> {
    return await waitFor(() => {
      const live = this.live()
      const id = live[0]?.leaderId
      return id !== undefined && live.every(n => n.leaderId === id) && this.nodes.get(id)?.ended === false ? this.node(id) : undefined
    }, { timeoutMs, what: 'the live nodes to agree on a leader' })
  }

  /** Waits until every live node (or every one of `among`) is Operational on one committed map whose members are exactly `members`. */
  async agreed (members: readonly string[], timeoutMs = 30_000, among?: readonly BenchNode[]): Promise<void> {
    const want = [...members].sort().join(',')
    try {
      await waitFor(() => {
        const live = among ?? this.live()
        const version = live[0]?.version
        return live.length > 0 && live.every(n => n.state === 'Operational' && n.version === version && n.members.join(',') === want)
      }, { timeoutMs, intervalMs: 10, what: `every node Operational on a map of ${want}` })
    } catch (err) {
      const views = this.live().map(n => `${n.id}: ${n.state} ${n.role} leader ${n.leaderId ?? '-'} map ${n.version} [${n.members.join(',')}]`)
      throw new Error(`${err instanceof Error ? err.message : String(err)}; ${views.join('; ')}`, { cause: err })
    }
  }

  /** Removes node `id` from the books (after it stopped for good). */
  forget (id: string): void {
    this.nodes.delete(id)
    this.inits.delete(id)
  }

  /** Kills every process and removes every data directory. */
  async close (): Promise<void> {
    const nodes = [...this.nodes.values()]
    for (const n of nodes) n.kill9()
    await Promise.all(nodes.map(async n => { await n.exited }))
    this.nodes.clear()
    await Promise.all(this.dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
    this.dirs.length = 0
  }
}

/**
 * When a node first holds a committed map without `gone` and is
 * Operational, looking at its events from index `from` on (its state
 * then being `stateAt`); undefined while it does not.
 */
export function operationalWithout (node: BenchNode, from: number, gone: string, stateAt: string): number | undefined {
  let haveMap = false
  let state = stateAt
  for (let i = from; i < node.events.length; i++) {
    const e = node.events[i] as NodeEvent
    if (e.event === 'shards' && !(e.members as string[]).includes(gone)) haveMap = true
    if (e.event === 'state') state = e.state as string
    if (haveMap && state === 'Operational') return e.t
  }
  return undefined
}
