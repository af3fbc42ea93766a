import type { Random } from '@clusterfunk/core'
import { PacketNetwork, Partitions, SimDisk, StreamNetwork, type CrashMode, type NodeClock, type Simulation } from '@clusterfunk/sim'
import { Raft, type Configuration, type LogCache, type NodeId, type RaftInit } from '../../src/index.js'
import { SimLogStore, SimSnapshotStore, SimTransport, type KvOutput } from '../../src/sim.js'
import { inspectRaft } from '../../src/testing.js'
import { SimKvFsm, type ApplyObserver } from './sim-kv.js'

/** Read-only view of a node's durable state, for the invariant checker. */
export interface NodeView {
  readonly role: string
  readonly term: number
  /** The log as made durable (the driver changes it only after the store did). */
  readonly log: LogCache
}

/** A `Raft` that lets the simulation look at its core and durable log without changing anything. */
export class InspectableRaft extends Raft<KvOutput> {
  view (): NodeView | undefined {
    const { loop } = inspectRaft(this)
    const core = loop.core
    const cache = loop.cache
    if (core === undefined || cache === undefined || loop.failure !== undefined) return undefined
    const s = core.status()
    return { role: s.role, term: s.term, log: cache }
  }

  /** Whether a read now would be served from the lease (`readOnly: 'lease'`). */
  leaseReadable (): boolean {
    return inspectRaft(this).loop.core?.status().leaseReadable ?? false
  }

  /** The error that made this node stop serving, if any. */
  failed (): Error | undefined {
    return inspectRaft(this).loop.failure
  }
}

/** One live incarnation of a node. */
export interface Incarnation {
  readonly raft: InspectableRaft
  readonly fsm: SimKvFsm
  readonly clock: NodeClock
  readonly transport: SimTransport
  readonly logStore: SimLogStore
  readonly snapshots: SimSnapshotStore
}

export interface SimClusterOptions {
  size: number
  /** Per-datagram fault rates of the packet network. */
  lossRate: number
  duplicateRate: number
  reorderRate: number
  /** Options for every node (`id` is filled in). */
  raft: Omit<RaftInit, 'id'>
  /** How long a synced disk write takes, ms. */
  syncDelayMs: (random: Random) => number
  /** Each node's clock (default: the simulation's `clockFor(id)`). */
  clockFor?: (id: NodeId) => NodeClock
  /** Builds each node's Raft (default: an `InspectableRaft`). */
  makeRaft?: (...args: ConstructorParameters<typeof InspectableRaft>) => InspectableRaft
}

/**
 * Whole `Raft` nodes on a simulation: packet and stream networks sharing
 * one `Partitions`, a `SimDisk` per node, and crash/restart that drops a
 * node's timers, sockets and unsynced writes at once.
 */
export class SimCluster {
  readonly ids: NodeId[]
  readonly partitions = new Partitions()
  readonly packets: PacketNetwork
  readonly streams: StreamNetwork
  readonly disks = new Map<NodeId, SimDisk>()
  readonly live = new Map<NodeId, Incarnation>()
  readonly random: Random
  restarts = 0
  private readonly starting = new Map<NodeId, Promise<void>>()
  crashes = 0

  constructor (readonly sim: Simulation, readonly options: SimClusterOptions, private readonly observer: (id: NodeId) => ApplyObserver) {
    this.ids = Array.from({ length: options.size }, (_, i) => `n${i + 1}`)
    this.packets = new PacketNetwork(sim, { latency: { minMs: 1, maxMs: 6 }, lossRate: options.lossRate, duplicateRate: options.duplicateRate, reorderRate: options.reorderRate, reorderMaxExtraMs: 15, partitions: this.partitions })
    this.streams = new StreamNetwork(sim, { latency: { minMs: 1, maxMs: 6 }, connectTimeoutMs: 200, partitions: this.partitions })
    this.random = sim.fork('cluster')
    for (const id of this.ids) this.disks.set(id, new SimDisk(sim, id))
  }

  address (id: NodeId): string {
    return `${id}:7000`
  }

  configuration (): Configuration {
    return { voters: this.ids.map(id => ({ id, address: this.address(id) })), nonVoters: [] }
  }

  /** Starts (or restarts) `id` over what its disk holds. */
  async start (id: NodeId): Promise<Incarnation> {
    const disk = this.disks.get(id) as SimDisk
    const clock = this.options.clockFor?.(id) ?? this.sim.clockFor(id)
    const logStore = new SimLogStore({ disk, clock, random: this.sim.fork(`fsync:${id}`) }, { syncDelayMs: this.options.syncDelayMs })
    await logStore.open()
    const snapshots = new SimSnapshotStore(disk)
    const transport = new SimTransport({ packets: this.packets, streams: this.streams }, { address: this.address(id) })
    const fsm = new SimKvFsm(this.observer(id))
    const make = this.options.makeRaft ?? ((...args) => new InspectableRaft(...args))
    const raft = make({ transport, logStore, stableStore: logStore, snapshotStore: snapshots, fsm, clock, random: this.sim.fork(`raft:${id}`) }, { ...this.options.raft, id })
    // Starting reads the disk and binds sockets: promises only, no virtual time (so it may run inside an event).
    await raft.start()
    const inc = { raft, fsm, clock, transport, logStore, snapshots }
    this.live.set(id, inc)
    return inc
  }

  /** kill -9: timers, sockets and the stores of this incarnation go at once; the disk loses its unsynced writes. */
  crash (id: NodeId, mode: CrashMode): void {
    const inc = this.live.get(id)
    if (inc === undefined) return
    this.live.delete(id)
    inc.transport.crash()
    inc.logStore.close()
    inc.snapshots.close()
    inc.clock.cancelAll()
    this.disks.get(id)?.crash(mode)
    this.crashes++
  }

  /** Starts `id` again unless it is live or already starting. */
  async restart (id: NodeId): Promise<void> {
    if (this.live.has(id)) return
    let p = this.starting.get(id)
    if (p === undefined) {
      p = this.start(id).then(() => { this.restarts++ }).finally(() => { this.starting.delete(id) })
      this.starting.set(id, p)
    }
    await p
  }

  /** The live node a client at random would reach first, or the one it was told leads. */
  node (id: NodeId | undefined): Incarnation | undefined {
    return id === undefined ? undefined : this.live.get(id)
  }

  leader (): NodeId | undefined {
    for (const [id, inc] of this.live) if (inc.raft.view()?.role === 'leader') return id
    return undefined
  }

  /** Stops every live node cleanly (end of a run). */
  async stopAll (): Promise<void> {
    await this.sim.resolve(Promise.all([...this.live.values()].map(async inc => { await inc.raft.stop() })), { maxMs: 10_000 })
    this.live.clear()
  }
}
