import { createHash } from 'node:crypto'
import path from 'node:path'
import { KvProcess, type KvLaunch, type NodePorts } from '@clusterfunk/example-kv'
import { decodeShardMap } from '@clusterfunk/sharding'
import type { CommitSighting, MapRecord, NodeView } from './checks.js'

/** How a node is placed: its address, ports and the command prefix that puts it in its namespace. */
export interface Placement {
  id: string
  ports: NodePorts
  launch: KvLaunch
}

/** One chaos node: its current process (a new one after each restart) and what the harness knows of it. */
export interface ChaosNode {
  readonly placement: Placement
  process: KvProcess
  /** Processes of earlier incarnations that ended without the harness asking (crashes). */
  crashes: number
  /** The harness is holding it (SIGSTOP) or has killed it and not restarted it yet. */
  paused: boolean
  down: boolean
  /** The state histories of its earlier processes (one per restart), oldest first. */
  readonly earlier: Array<KvProcess['history']>
}

/** Everything the nodes said that the checks read. */
export interface Sightings {
  commits: CommitSighting[]
  /** version → digests of the maps served as that version. */
  digests: Map<number, Set<string>>
  maps: Map<number, MapRecord>
  /** Times a node became leader (after the first), and nodes declared dead while their process was running. */
  elections: number[]
  falseDead: Array<{ at: number, nodeId: string }>
}

/**
 * N kv-server processes: started with `--bootstrap-expect N` and every
 * other node as a join address, restarted from the same data dir and ports.
 * Every JSON line a node prints updates its view; a map version seen for
 * the first time is fetched from that node (`GET /map`) and digested.
 */
export class ChaosCluster {
  readonly nodes: ChaosNode[] = []
  readonly sightings: Sightings = { commits: [], digests: new Map(), maps: new Map(), elections: [], falseDead: [] }
  private readonly views = new Map<string, NodeView>()
  private leaders = 0
  private readonly fetching = new Set<string>()

  constructor (readonly root: string, private readonly placements: readonly Placement[], private readonly extraArgs: readonly string[]) {
    for (const p of placements) this.nodes.push({ placement: p, process: this.spawn(p), crashes: 0, paused: false, down: false, earlier: [] })
  }

  get ids (): string[] { return this.nodes.map(n => n.placement.id) }

  /** What each node last said of itself (stopped or dead nodes: their last words). */
  view (): ReadonlyMap<string, NodeView> { return this.views }

  node (id: string): ChaosNode {
    const n = this.nodes.find(x => x.placement.id === id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  /** The node that last said it is the leader and is running, if any. */
  leader (): ChaosNode | undefined {
    return this.nodes.find(n => !n.down && !n.paused && n.process.now.role === 'Leader')
  }

  restart (n: ChaosNode): void {
    n.earlier.push(n.process.history)
    n.process = this.spawn(n.placement)
    n.down = false
  }

  private spawn (p: Placement): KvProcess {
    const peers = this.placements.filter(o => o.id !== p.id).map(o => `${o.launch.host ?? '127.0.0.1'}:${o.ports.swim}`)
    const proc = new KvProcess(p.id, p.ports, path.join(this.root, p.id), peers, this.placements.length, this.extraArgs, p.launch)
    this.views.set(p.id, { state: 'Starting', version: 0, owners: [] })
    proc.onEvent = e => { this.onEvent(p, proc, e) }
    proc.child.on('exit', () => {
      // The process's state history ends here: from now on the node serves nothing until it restarts.
      proc.history.push({ ...proc.now, t: performance.now(), state: 'Exited' })
      // An exit the harness did not cause (it marks a node down before it kills or stops it) is a crash.
      const n = this.nodes.find(x => x.process === proc)
      if (n !== undefined && !n.down) n.crashes++
    })
    return proc
  }

  private onEvent (p: Placement, proc: KvProcess, e: Record<string, unknown>): void {
    const at = performance.now()
    const snap = proc.now
    this.views.set(p.id, { state: snap.state, version: snap.version, owners: snap.owners })
    if (e.event === 'state' && e.state === 'Operational' && typeof e.version === 'number') {
      this.sightings.commits.push({ version: e.version, at })
      void this.fetchMap(p, e.version)
    }
    if (e.event === 'role' && e.role === 'Leader') {
      if (this.leaders > 0) this.sightings.elections.push(at)
      this.leaders++
    }
    if (e.event === 'dead' && typeof e.nodeId === 'string') {
      const victim = this.nodes.find(n => n.placement.id === e.nodeId)
      if (victim !== undefined && !victim.down && !victim.paused) this.sightings.falseDead.push({ at, nodeId: e.nodeId })
    }
  }

  private async fetchMap (p: Placement, version: number): Promise<void> {
    const key = `${p.id}@${version}`
    if (this.fetching.has(key)) return
    this.fetching.add(key)
    try {
      const res = await fetch(`http://${p.launch.host ?? '127.0.0.1'}:${p.ports.http}/map`, { signal: AbortSignal.timeout(2_000) })
      if (!res.ok) return
      const body = await res.json() as { version: number, map: string }
      const bytes = Buffer.from(body.map, 'base64')
      const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16)
      let seen = this.sightings.digests.get(body.version)
      if (seen === undefined) this.sightings.digests.set(body.version, seen = new Set())
      seen.add(digest)
      if (!this.sightings.maps.has(body.version)) {
        const map = decodeShardMap(bytes)
        this.sightings.maps.set(body.version, { version: body.version, digest, ownerOf: shard => map.nodeFor(shard) })
      }
    } catch {
      // The node went away between its line and the fetch: another node will say the same version.
    }
  }
}
