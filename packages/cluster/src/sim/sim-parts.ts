import { createHash } from 'node:crypto'
import type { Random } from '@clusterfunk/core'
import type { LivenessChecker, LivenessEndpoint } from '@clusterfunk/liveness'
import { simLivenessChecker, simLivenessEndpoint } from '@clusterfunk/liveness/sim'
import { Raft, type RaftInit } from '@clusterfunk/raft'
import { SimLogStore, SimSnapshotStore, SimTransport } from '@clusterfunk/raft/sim'
import type { CrashMode, PacketNetwork, SimDisk, SimHost, SimHosts, Simulation, StreamNetwork } from '@clusterfunk/sim'
import type { Swim, SwimConfig } from '@clusterfunk/swim'
import { simSwim } from '@clusterfunk/swim/sim'
import type { PartsFactory } from '../cluster/parts-factory.js'
import { ClusterFsm } from '../cluster/fsm.js'
import type { ResolvedClusterInit } from '../cluster/options.js'
import type { ClusterParts, PartsDeps } from '../cluster/parts.js'
import type { ShardCoordinator } from '../coordinator/coordinator.js'
import type { CoordinatorInit } from '../coordinator/types.js'
import { AckSender } from '../cluster/acks.js'
import { SimAckChannel } from './sim-acks.js'
import { SimManagement } from './sim-management.js'

/** The simulation a cluster runs on: its two networks share one `Partitions`, so a cut stops both. */
export interface SimWorld {
  sim: Simulation
  /** Raft messages, SWIM probes and gossip, liveness probes. */
  packets: PacketNetwork
  /** SWIM push/pull, Raft snapshots, acks. */
  streams: StreamNetwork
  /** The hosts on those networks: each incarnation's SWIM and liveness run on its host's ports and IP. */
  hosts: SimHosts
}

/** The ports every simulated node uses: its addresses are `<node>:<port>`. */
export const SIM_PORTS = { swim: 7946, raft: 7000, liveness: 7001, checker: 7002, management: 7003 } as const

/** Options of one incarnation's parts, beyond the cluster options. */
export interface SimPartsInit {
  /** The node's name on the networks; its id unless the options give one. */
  node: string
  /** The node's disk: it outlives incarnations, and a crash loses its unsynced writes. */
  disk: SimDisk
  /** This incarnation's host: its clock is the node's clock, and a crash kills both with every port. */
  host: SimHost
  /** Raft options beyond the cluster's preset (a small `snapshotThreshold` exercises snapshots). */
  raft?: Omit<RaftInit, 'id' | 'address' | 'preset'>
  /** SWIM fields overriding the cluster's preset. */
  swim?: Partial<SwimConfig>
  /** How long a synced write takes, drawn per write. Default 0.2–3 ms, 1 in 10 up to 40 ms. */
  syncDelayMs?: (random: Random) => number
  /** Builds the coordinator (a mutated one, to prove the invariants catch it). Default the real one. */
  coordinator?: (init: CoordinatorInit) => ShardCoordinator
}

/** What one incarnation built, to crash it. */
interface Built {
  transport: SimTransport
  logStore: SimLogStore
  snapshots: SimSnapshotStore
  host: SimHost
  swim: Swim
  endpoint: LivenessEndpoint
  checker: LivenessChecker
  management: SimManagement
  acks: AckSender
}

function defaultSyncDelay (random: Random): number {
  return random.chance(0.1) ? random.int(5, 40) : 0.2 + 3 * random.float()
}

/**
 * The parts of one incarnation of a simulated cluster node: the real
 * `Raft` (on `SimTransport`, `SimLogStore` and `SimSnapshotStore` over
 * the node's `SimDisk`), the real `ClusterFsm`, and
 * the shipping `Swim` (with the gossip keyring when the options give
 * keys), `LivenessChecker` and `LivenessEndpoint` on a `SimHost` of the
 * node, whose ports and IP they bind; acks over the stream network. Pass
 * it as `parts` to `createCluster` with the same `clock`. `crash()` kills
 * the incarnation at once: clock, host (ports, connections), stores, and
 * the disk loses what was not synced.
 */
export class SimParts implements PartsFactory {
  private built: Built | undefined
  private crashed = false

  readonly coordinator: ((init: CoordinatorInit) => ShardCoordinator) | undefined

  constructor (private readonly world: SimWorld, private readonly init: SimPartsInit) {
    this.coordinator = init.coordinator
  }

  async nodeId (o: ResolvedClusterInit): Promise<string> {
    return o.nodeId ?? this.init.node
  }

  async assemble (o: ResolvedClusterInit, d: PartsDeps): Promise<ClusterParts> {
    const { sim, packets, streams } = this.world
    const { node, disk, host } = this.init
    const clock = host.clock
    const at = (port: number): string => `${node}:${port}`
    const components = { clock, logger: d.logger, metrics: d.metrics }
    const logStore = new SimLogStore({ disk, clock, random: sim.fork(`fsync:${node}`) }, { syncDelayMs: this.init.syncDelayMs ?? defaultSyncDelay })
    await logStore.open()
    const snapshots = new SimSnapshotStore(disk)
    const inner = new SimTransport({ packets, streams, logger: d.logger }, { address: at(SIM_PORTS.raft) })
    const transport = inner
    const fsm = new ClusterFsm({ coordinator: d.coordinator, clock, logger: d.logger, dropped: d.skippedEntries }, d.changed)
    const raft = new Raft<void>({
      ...components, random: sim.fork(`raft:${node}`), transport, logStore, stableStore: logStore, snapshotStore: snapshots, fsm
    }, { snapshotThreshold: o.raftSnapshotThreshold, trailingLogs: o.raftTrailingLogs, ...this.init.raft, id: d.nodeId, preset: o.raftPreset })
    const key = o.token === undefined ? {} : { key: createHash('sha256').update(`clusterfunk-liveness:${o.token}`).digest() }
    const livenessComponents = { logger: d.logger, metrics: d.metrics, health: d.health }
    const endpoint = simLivenessEndpoint(host, { nodeId: d.nodeId, port: SIM_PORTS.liveness, ...key }, livenessComponents)
    const checker = simLivenessChecker(host, { port: SIM_PORTS.checker, intervalMs: o.livenessIntervalMs, retries: o.livenessRetries, ...key }, livenessComponents)
    const management = new SimManagement({ network: streams, source: d.source, logger: d.logger }, { address: at(SIM_PORTS.management) })
    const swim = simSwim(host, {
      id: d.nodeId,
      port: SIM_PORTS.swim,
      preset: o.swimPreset,
      ...(this.init.swim === undefined ? {} : { config: this.init.swim }),
      ...(o.keyring === undefined ? {} : { keyring: o.keyring })
    }, { logger: d.logger, metrics: d.metrics })
    const coordinator = d.coordinator
    const acks = new AckSender({
      nodeId: d.nodeId,
      channel: new SimAckChannel({ address: at(SIM_PORTS.management), network: streams, clock }),
      clock,
      logger: d.logger,
      timeoutMs: o.ackTimeoutMs,
      leaderAddress: d.leaderManagementAddress,
      stillOwed: version => coordinator.pendingMap?.version === version
    })
    this.built = { transport: inner, logStore, snapshots, host, swim, endpoint, checker, management, acks }
    // Killed while it was being built: nothing of it may start.
    if (this.crashed) {
      this.release()
      throw new Error(`node ${node} crashed while starting`)
    }
    return {
      nodeId: d.nodeId,
      raft,
      transport,
      store: logStore,
      swim,
      endpoint,
      checker,
      management,
      metricsServer: undefined,
      zeroconf: undefined,
      acks
    }
  }

  /** Makes this incarnation's liveness endpoint ignore probes (or answer again): the node looks dead to the checker only. */
  muteLiveness (muted: boolean): void {
    this.built?.host.mute(SIM_PORTS.liveness, muted)
  }

  /** kill -9 of this incarnation: nothing it left behind runs again, and the disk keeps only what `mode` says survives. */
  crash (mode: CrashMode): void {
    this.crashed = true
    this.init.host.crash()
    this.release()
    this.init.disk.crash(mode)
  }

  /** Drops every part built: sockets, listeners, connections and stores, for good. */
  private release (): void {
    const b = this.built
    if (b === undefined) return
    b.acks.stop()
    b.management.crash()
    b.host.crash()
    b.transport.crash()
    b.logStore.close()
    b.snapshots.close()
  }
}
