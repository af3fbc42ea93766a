import type { LogLevel, Random } from '@clusterfunk/core'
import type { RaftInit } from '@clusterfunk/raft'
import type { CrashMode, SimDisk } from '@clusterfunk/sim'
import type { SwimConfig } from '@clusterfunk/swim'
import { createCluster, type Cluster } from '../cluster/facade.js'
import type { ClusterInit } from '../cluster/options.js'
import type { ShardCoordinator } from '../coordinator/coordinator.js'
import type { CoordinatorInit } from '../coordinator/types.js'
import { SIM_PORTS, SimParts, type SimWorld } from './sim-parts.js'
import { TraceLogger } from './trace-logger.js'

/** Options of a simulated node, for every incarnation. */
export interface SimNodeInit {
  /** Its id and its name on the networks. */
  id: string
  /** Its disk (`new SimDisk(sim, id)`): it outlives incarnations. */
  disk: SimDisk
  /** The cluster options; `nodeId`, `dataDir` and `zeroconf` are the simulation's. */
  options: Omit<ClusterInit, 'nodeId' | 'dataDir' | 'zeroconf'>
  /** Raft options beyond the preset. */
  raft?: Omit<RaftInit, 'id' | 'address' | 'preset'>
  /** SWIM fields overriding the preset. */
  swim?: Partial<SwimConfig>
  syncDelayMs?: (random: Random) => number
  /** What the node logs into the simulation's trace. Default `'info'`. */
  logLevel?: LogLevel
  /** Builds the coordinator of every incarnation. Default the real one. */
  coordinator?: (init: CoordinatorInit) => ShardCoordinator
}

/**
 * One node of a simulated cluster across its incarnations: each `start()`
 * runs a real `Cluster` (the facade and its core, unchanged) on
 * `SimParts` over the node's disk and a fresh clock; `crash()` is
 * `kill -9`; `stop()` is the graceful `Cluster.stop()` (hand over, leave).
 * Drive the simulation with its `*Async` runners while these settle.
 */
export class SimClusterNode {
  readonly id: string
  readonly disk: SimDisk
  /** The running incarnation, if any. */
  cluster: Cluster | undefined
  /** How many incarnations were started. */
  incarnations = 0
  private parts: SimParts | undefined
  private readonly world: SimWorld
  private readonly init: SimNodeInit

  constructor (world: SimWorld, init: SimNodeInit) {
    this.world = world
    this.init = init
    this.id = init.id
    this.disk = init.disk
  }

  /** Where its SWIM member listens: what others `join`. */
  get swimAddress (): string {
    return this.world.hosts.address(this.id, SIM_PORTS.swim)
  }

  /** Starts a new incarnation over what the disk holds. Throws if one is running. */
  async start (): Promise<Cluster> {
    if (this.cluster !== undefined) throw new Error(`node ${this.id} is running`)
    const { sim } = this.world
    // A new incarnation of the host: its clock and ports die with this incarnation.
    const host = this.world.hosts.host(this.id)
    const clock = host.clock
    const parts = new SimParts(this.world, {
      node: this.id,
      disk: this.disk,
      host,
      ...(this.init.raft === undefined ? {} : { raft: this.init.raft }),
      ...(this.init.swim === undefined ? {} : { swim: this.init.swim }),
      ...(this.init.syncDelayMs === undefined ? {} : { syncDelayMs: this.init.syncDelayMs }),
      ...(this.init.coordinator === undefined ? {} : { coordinator: this.init.coordinator })
    })
    const logger = new TraceLogger(sim.trace, this.id, 'cluster', this.init.logLevel ?? 'info')
    const cluster = createCluster({ ...this.init.options, nodeId: this.id, dataDir: `sim:${this.id}`, zeroconf: false }, { clock, logger, parts })
    this.cluster = cluster
    this.parts = parts
    this.incarnations++
    this.traceEvents(cluster)
    try {
      await cluster.start()
    } catch (err) {
      if (this.cluster === cluster) this.crash('all')
      throw err
    }
    return cluster
  }

  /** Files the node's own events in the simulation's trace, between the packets they follow from. */
  private traceEvents (cluster: Cluster): void {
    const trace = this.world.sim.trace
    const n = this.incarnations
    cluster.addEventListener('state:change', e => { trace.record(this.id, `cluster#${n} state ${e.detail.previous}>${e.detail.state} v${cluster.shards.version}`) })
    cluster.addEventListener('role:change', e => { trace.record(this.id, `cluster#${n} role ${e.detail.previous}>${e.detail.role}`) })
    cluster.addEventListener('shards:change', e => { trace.record(this.id, `cluster#${n} commit v${e.detail.version} +${e.detail.gained.length} -${e.detail.lost.length}`) })
    cluster.addEventListener('node:dead', e => { trace.record(this.id, `cluster#${n} liveness dead ${e.detail.nodeId}`) })
    cluster.addEventListener('node:alive', e => { trace.record(this.id, `cluster#${n} liveness alive ${e.detail.nodeId}`) })
  }

  /** kill -9: the incarnation stops dead and the disk keeps what `mode` says survives. */
  crash (mode: CrashMode): void {
    this.parts?.crash(mode)
    this.parts = undefined
    this.cluster = undefined
  }

  /** Makes the running incarnation's liveness endpoint ignore probes, or answer again: alive, but dead to the leader's checker. */
  muteLiveness (muted: boolean): void {
    this.parts?.muteLiveness(muted)
  }

  /** The graceful stop: leadership handed over, SWIM left, everything released. */
  async stop (): Promise<void> {
    const cluster = this.cluster
    if (cluster === undefined) return
    await cluster.stop()
    if (this.cluster === cluster) {
      this.cluster = undefined
      this.parts = undefined
    }
  }
}
