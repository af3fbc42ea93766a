import { waitFor } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'node.js')
/**
 * Extra node flags for every fixture process, space-separated, e.g.
 * `RAFT_FIXTURE_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` to profile
 * the nodes of a benchmark (NODE_OPTIONS does not take --cpu-prof).
 */
const NODE_FLAGS = (process.env.RAFT_FIXTURE_NODE_FLAGS ?? '').split(' ').filter(f => f !== '')
/** The end of each node's stderr kept for failure messages, in characters. */
const STDERR_TAIL_CHARS = 4000

export type Reply = Record<string, unknown> & { ok: boolean }

/** One fixture process: requests over stdin, answers and events from stdout. */
export class NodeProcess {
  readonly id: string
  readonly child: ChildProcess
  readonly events: Array<Record<string, unknown>> = []
  private readonly waiting = new Map<number, (r: Reply) => void>()
  private seq = 0
  private stderrTail = ''
  private exit: { code: number | null, signal: NodeJS.Signals | null } | undefined
  /** Set when writing a request failed (the process died between the liveness check and the write: EPIPE). */
  private stdinError: Error | undefined
  readonly exited: Promise<void>

  constructor (id: string, config: Record<string, unknown>) {
    this.id = id
    this.child = spawn(process.execPath, [...NODE_FLAGS, FIXTURE, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] })
    this.child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk)
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS)
    })
    // A request written just as the process dies (kill -9) fails with EPIPE on stdin: without a listener
    // that error is thrown in the test runner as an uncaught exception, with no message naming the node.
    this.child.stdin!.on('error', (err) => { this.stdinError = err })
    this.exited = new Promise(resolve => { this.child.once('exit', () => { resolve() }) })
    this.child.once('exit', (code, signal) => {
      this.exit = { code, signal }
      for (const w of this.waiting.values()) w({ ok: false, error: 'exited' })
      this.waiting.clear()
    })
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let o: Record<string, unknown>
      try { o = JSON.parse(line) as Record<string, unknown> } catch { return }
      if (typeof o.id === 'number') {
        const w = this.waiting.get(o.id)
        this.waiting.delete(o.id)
        w?.(o as Reply)
      } else {
        this.events.push(o)
      }
    })
  }

  get alive (): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  async request (op: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<Reply> {
    if (!this.alive) return { ok: false, error: 'exited' }
    const id = ++this.seq
    return await new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => { this.waiting.delete(id); resolve({ ok: false, error: 'no answer' }) }, timeoutMs)
      this.waiting.set(id, (r) => { clearTimeout(timer); resolve(r) })
      this.child.stdin!.write(JSON.stringify({ id, op, ...args }) + '\n')
    })
  }

  async ready (): Promise<void> {
    await waitFor(() => this.events.some(e => e.event === 'ready') || !this.alive, { timeoutMs: 20_000, what: `node ${this.id} to start` })
    if (!this.alive) {
      await this.exited
      throw new Error(`node ${this.id} exited while starting; ${this.describe()}`)
    }
  }

  /** How the process ended (or that it runs) and the end of its stderr, for failure messages. */
  describe (): string {
    const state = this.exit === undefined ? 'running' : `exited with code ${String(this.exit.code)}, signal ${String(this.exit.signal)}`
    const stdin = this.stdinError === undefined ? '' : `, stdin failed: ${this.stdinError.message}`
    return `node ${this.id} ${state}${stdin}; stderr: ${this.stderrTail === '' ? '(empty)' : `\n${this.stderrTail}`}`
  }

  kill9 (): void {
    if (this.alive) this.child.kill('SIGKILL')
  }

  /** Asks the node to stop cleanly, and kills it if it does not exit in time. */
  async shutdown (): Promise<void> {
    if (!this.alive) return
    void this.request('exit', {}, 5000)
    const t = setTimeout(() => { this.kill9() }, 5000)
    await this.exited
    clearTimeout(t)
  }
}

export interface ProcessClusterOptions {
  size?: number
  token?: string
  preset?: 'fast' | 'default'
  snapshotThreshold?: number
  trailingLogs?: number
}

/** N fixture processes over gRPC on 127.0.0.1, with classic-level stores in a temp folder. */
export class ProcessCluster {
  readonly nodes = new Map<string, NodeProcess>()
  readonly configs = new Map<string, Record<string, unknown>>()
  root = ''

  static async start (options: ProcessClusterOptions = {}): Promise<ProcessCluster> {
    const c = new ProcessCluster()
    c.root = await mkdtemp(path.join(tmpdir(), 'raft-procs-'))
    const ids = Array.from({ length: options.size ?? 3 }, (_, i) => `n${i + 1}`)
    const ports = await freePorts(ids.length)
    const members = ids.map((id, i) => ({ id, address: `127.0.0.1:${ports[i] as number}` }))
    for (const m of members) {
      c.configs.set(m.id, {
        id: m.id,
        dir: path.join(c.root, m.id),
        port: Number(m.address.split(':')[1]),
        members,
        bootstrap: true,
        preset: options.preset ?? 'fast',
        ...(options.token === undefined ? {} : { token: options.token }),
        ...(options.snapshotThreshold === undefined ? {} : { snapshotThreshold: options.snapshotThreshold }),
        ...(options.trailingLogs === undefined ? {} : { trailingLogs: options.trailingLogs })
      })
    }
    try {
      for (const id of ids) c.launch(id)
      for (const n of c.nodes.values()) await n.ready()
    } catch (err) {
      await c.close()
      throw err
    }
    return c
  }

  /** Starts (or restarts) node `id` over its data folder. */
  launch (id: string): NodeProcess {
    const n = new NodeProcess(id, this.configs.get(id) as Record<string, unknown>)
    this.nodes.set(id, n)
    return n
  }

  address (id: string): string {
    return `127.0.0.1:${String(this.configs.get(id)?.port)}`
  }

  node (id: string): NodeProcess {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  /** Waits for one live leader and returns it. */
  async leader (timeoutMs = 15_000): Promise<NodeProcess> {
    return await waitFor(async () => {
      for (const n of this.nodes.values()) {
        if (!n.alive) continue
        const s = await n.request('stats', {}, 2000)
        if (s.ok && s.role === 'leader') return n
      }
      return undefined
    }, { timeoutMs, intervalMs: 20, what: 'a leader' })
  }

  /** Every node's state and stderr, for the message of a failed test. */
  describe (): string {
    return [...this.nodes.values()].map(n => n.describe()).join('\n')
  }

  async close (): Promise<void> {
    await Promise.all([...this.nodes.values()].map(async n => { await n.shutdown() }))
    if (this.root !== '') await rm(this.root, { recursive: true, force: true })
  }
}
