import path from 'node:path'
import { waitFor } from '@clusterfunk/core'
import { KvProcess, type NodeSnapshot } from './kv-process.js'
import { freePorts } from '@clusterfunk/core/testing'

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** What `agreed` waits for: these nodes Operational on one map owned by exactly them, newer than `afterVersion`. */
export interface Agreement {
  ids: string[]
  afterVersion: number
  /** Only count states reached after this moment (performance.now()). */
  since: number
  timeoutMs: number
  what: string
}

/** The demo's kv nodes, each a child process with fixed ports and its own data dir under `root`. */
export class DemoCluster {
  readonly nodes = new Map<string, KvProcess>()
  /** Every process started, restarts included, so none is left behind. */
  readonly started: KvProcess[] = []

  constructor (private readonly root: string) {}

  /** Starts `count` nodes n1..n<count>, each joining the others by SWIM address, bootstrapping together; `extraArgs` go to every node (and its restarts). */
  async start (count: number, timeoutMs: number, extraArgs: readonly string[] = []): Promise<KvProcess[]> {
    const ports = await freePorts(5 * count)
    const ids = Array.from({ length: count }, (_, i) => `n${i + 1}`)
    const plan = ids.map((id, i) => {
      const [http, swim, raft, liveness, mgmt] = ports.slice(5 * i, 5 * i + 5) as [number, number, number, number, number]
      return { id, ports: { http, swim, raft, liveness, mgmt } }
    })
    for (const { id, ports: p } of plan) {
      const join = plan.filter(o => o.id !== id).map(o => `127.0.0.1:${o.ports.swim}`)
      this.launch(new KvProcess(id, p, path.join(this.root, id), join, count, extraArgs))
    }
    const all = [...this.nodes.values()]
    await Promise.all(all.map(async n => { await n.whenReady(timeoutMs) }))
    return all
  }

  /**
   * Starts `id` again from its data dir (its Raft state and node id are
   * there), on the same ports: the cluster takes it back on its own.
   */
  async restart (id: string, timeoutMs: number): Promise<KvProcess> {
    const old = this.get(id)
    const join = [...this.nodes.values()].filter(n => n.id !== id).map(n => `127.0.0.1:${n.ports.swim}`)
    const next = this.launch(new KvProcess(id, old.ports, path.join(this.root, id), join, this.nodes.size, old.extraArgs))
    await next.whenReady(timeoutMs)
    return next
  }

  get (id: string): KvProcess {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  /** The node that says it leads, if one does. */
  leader (): KvProcess | undefined {
    return [...this.nodes.values()].find(n => n.exit === undefined && n.now.role === 'Leader')
  }

  /**
   * Waits until the nodes in `a.ids` agree (see `Agreement`) and returns how
   * long after `a.since` the last of them got there, from the moment each
   * one's line arrived rather than from the polling.
   */
  async agreed (a: Agreement): Promise<{ ms: number, version: number }> {
    const ids = [...a.ids].sort()
    const ok = (s: NodeSnapshot): boolean => s.state === 'Operational' && s.version > a.afterVersion && same(s.owners, ids)
    const nodes = ids.map(id => this.get(id))
    await waitFor(() => {
      for (const n of nodes) {
        const dead = n.failIfExited()
        if (dead !== undefined) return dead
      }
      const versions = new Set(nodes.map(n => n.now.version))
      return nodes.every(n => ok(n.now)) && versions.size === 1
    }, { timeoutMs: a.timeoutMs, what: a.what })
    const reached = nodes.map(n => n.history.find(s => s.t >= a.since && ok(s))?.t ?? n.now.t)
    return { ms: Math.max(...reached) - a.since, version: nodes[0]?.now.version ?? 0 }
  }

  /** The highest map version any live node holds. */
  version (): number {
    return Math.max(0, ...[...this.nodes.values()].filter(n => n.exit === undefined).map(n => n.now.version))
  }

  /** SIGTERM to every live node at once; each must exit on its own within `timeoutMs` (else SIGKILL). */
  async stop (timeoutMs: number): Promise<Array<{ node: KvProcess, clean: boolean }>> {
    const live = this.started.filter(n => n.exit === undefined)
    return await Promise.all(live.map(async node => ({ node, clean: await node.terminate(timeoutMs) })))
  }

  /** kill -9 to everything still running (the failure path). */
  async killAll (): Promise<void> {
    for (const n of this.started) n.kill9()
    await Promise.all(this.started.map(async n => { await waitFor(() => n.exit !== undefined, { timeoutMs: 5_000, what: `${n.id} to die` }).catch(() => undefined) }))
  }

  private launch (p: KvProcess): KvProcess {
    this.nodes.set(p.id, p)
    this.started.push(p)
    return p
  }
}
