import type { LogLevel, Random } from '@clusterfunk/core'
import { PacketNetwork, Partitions, SimDisk, SimHosts, StreamNetwork, type CrashMode, type Simulation } from '@clusterfunk/sim'
import type { Cluster, CoordinatorInit, ShardCoordinator } from '../../src/index.js'
import { SIM_PORTS, SimClusterNode, type SimWorld } from '../../src/sim/index.js'

/** Where a node of the world is in its life. */
export type NodeLife = 'unstarted' | 'starting' | 'running' | 'crashed' | 'leaving' | 'left'

/** How a world is built. */
export interface WorldPlan {
  /** Nodes started at once with `bootstrapExpect` = their number. */
  initial: number
  /** Nodes that join later (by SWIM address), up to `initial + extra` in all. */
  extra: number
  maxVoters: number
  lossRate: number
  duplicateRate: number
  reorderRate: number
  shards: number
  /** Raft snapshots this often (entries), so restarts and catch-ups also go through snapshots. */
  snapshotThreshold: number
  /** Builds every node's coordinator (a mutated one in the test that proves the checks bite). */
  coordinator?: (init: CoordinatorInit) => ShardCoordinator
  /** What nodes log into the trace (default `info`; `debug` to follow one seed). */
  logLevel?: LogLevel
  /** How long node `id`'s synced writes take (default: `SimParts`'). */
  syncDelayMs?: (id: string) => ((random: Random) => number) | undefined
}

/**
 * A simulated cluster of whole nodes: one packet and one stream network
 * sharing one `Partitions`, a `SimDisk` per node, and the life of every
 * node (started, crashed, restarted, left). Node operations run inside
 * simulation events; what they fail with is kept in `errors`.
 */
export class ClusterWorld {
  readonly partitions = new Partitions()
  readonly world: SimWorld
  readonly nodes: SimClusterNode[]
  readonly life = new Map<string, NodeLife>()
  readonly errors: Error[] = []
  readonly random: Random
  counts = { joins: 0, leaves: 0, crashes: 0, restarts: 0, partitions: 0, mutes: 0 }

  constructor (readonly sim: Simulation, readonly plan: WorldPlan) {
    const latency = { minMs: 1, maxMs: 6 }
    const packets = new PacketNetwork(sim, { latency, lossRate: plan.lossRate, duplicateRate: plan.duplicateRate, reorderRate: plan.reorderRate, reorderMaxExtraMs: 15, partitions: this.partitions })
    const streams = new StreamNetwork(sim, { latency, connectTimeoutMs: 200, partitions: this.partitions })
    this.world = { sim, packets, streams, hosts: new SimHosts(sim, { packets, streams }) }
    this.random = sim.fork('world')
    const keyRandom = sim.fork('gossip-key')
    const gossipKey = Buffer.from(Array.from({ length: 32 }, () => keyRandom.int(0, 255))).toString('base64')
    const ids = Array.from({ length: plan.initial + plan.extra }, (_, i) => `n${i + 1}`)
    const seeds = ids.slice(0, plan.initial)
    this.nodes = ids.map((id, i) => new SimClusterNode(this.world, {
      id,
      disk: new SimDisk(sim, id),
      options: {
        name: 'sim',
        shards: plan.shards,
        maxVoters: plan.maxVoters,
        swimPreset: 'local',
        // The first nodes bootstrap together; later ones join an existing cluster through the first ones.
        ...(i < plan.initial ? { bootstrapExpect: plan.initial } : {}),
        join: seeds.filter(s => s !== id).map(s => this.world.hosts.address(s, SIM_PORTS.swim)),
        // Gossip encrypted, as a production cluster runs it: the keyring, sealing and replay checks all take part.
        gossipKeys: [gossipKey]
      },
      raft: { snapshotThreshold: plan.snapshotThreshold, trailingLogs: 10 },
      ...(plan.syncDelayMs?.(id) === undefined ? {} : { syncDelayMs: plan.syncDelayMs(id) }),
      ...(plan.coordinator === undefined ? {} : { coordinator: plan.coordinator }),
      ...(plan.logLevel === undefined ? {} : { logLevel: plan.logLevel })
    }))
    for (const id of ids) this.life.set(id, 'unstarted')
  }

  node (id: string): SimClusterNode {
    const n = this.nodes.find(x => x.id === id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  /** The running clusters. */
  running (): Array<{ id: string, cluster: Cluster }> {
    return this.nodes.flatMap(n => this.life.get(n.id) === 'running' && n.cluster !== undefined ? [{ id: n.id, cluster: n.cluster }] : [])
  }

  /** Every live incarnation, running or not yet (a starting node may already apply its log) or stopping. */
  observed (): Array<{ id: string, cluster: Cluster }> {
    return this.nodes.flatMap(n => {
      const life = this.life.get(n.id)
      return (life === 'running' || life === 'starting' || life === 'leaving') && n.cluster !== undefined ? [{ id: n.id, cluster: n.cluster }] : []
    })
  }

  ids (life: NodeLife): string[] {
    return this.nodes.filter(n => this.life.get(n.id) === life).map(n => n.id)
  }

  /** Nodes that belong in the cluster at the end: started at some point and not gone for good. */
  members (): string[] {
    return this.nodes.filter(n => { const l = this.life.get(n.id); return l !== 'unstarted' && l !== 'leaving' && l !== 'left' }).map(n => n.id)
  }

  /** The current leader among running nodes, if one says so. */
  leader (): string | undefined {
    return this.running().find(r => r.cluster.role === 'Leader')?.id
  }

  /**
   * Whether a running leader has taken every node that left out of Raft. A
   * voter that leaves stays in the Raft group until a leader removes it, so
   * two voters of three leaving with no leader to remove them would leave
   * the rest without a quorum for good — which no Raft cluster survives.
   */
  leavesSettled (): boolean {
    const leader = this.leader()
    if (leader === undefined) return false
    const nodes = new Map(this.node(leader).cluster?.nodes().map(n => [n.id, n.suffrage]) ?? [])
    return [...this.ids('leaving'), ...this.ids('left')].every(id => (nodes.get(id) ?? 'None') === 'None')
  }

  /** Starts (or restarts) `id`; the start runs on as the simulation does. */
  start (id: string): void {
    const life = this.life.get(id)
    if (life !== 'unstarted' && life !== 'crashed') return
    if (life === 'crashed') this.counts.restarts++
    else if (this.nodes.findIndex(n => n.id === id) >= this.plan.initial) this.counts.joins++
    this.life.set(id, 'starting')
    const node = this.node(id)
    node.start().then(() => {
      if (this.life.get(id) === 'starting') this.life.set(id, 'running')
    }, (err: Error) => {
      if (this.life.get(id) === 'starting') this.errors.push(new Error(`${id} failed to start: ${err.message}`, { cause: err }))
    })
  }

  /** kill -9 of `id` (also while it starts). */
  crash (id: string, mode: CrashMode): void {
    const life = this.life.get(id)
    if (life !== 'running' && life !== 'starting') return
    this.counts.crashes++
    this.node(id).crash(mode)
    this.life.set(id, 'crashed')
  }

  /** A graceful leave of a running node: it hands over leadership, leaves SWIM and stops, for good. */
  leave (id: string): void {
    if (this.life.get(id) !== 'running') return
    this.counts.leaves++
    this.life.set(id, 'leaving')
    this.node(id).stop().then(() => { this.life.set(id, 'left') }, (err: Error) => {
      this.errors.push(new Error(`${id} failed to leave: ${err.message}`, { cause: err }))
    })
  }
}
