import { createHash } from 'node:crypto'
import path from 'node:path'
import type { Clock, Counter, LocalHealth, Logger } from '@clusterfunk/core'
import { LivenessChecker, LivenessEndpoint } from '@clusterfunk/liveness'
import { FileSnapshotStore, Raft, type RaftTransport } from '@clusterfunk/raft'
import { GrpcTransport } from '@clusterfunk/raft/grpc'
import { LevelStore } from '@clusterfunk/raft/level'
import { Swim } from '@clusterfunk/swim'
import type { ShardCoordinator } from '../coordinator/coordinator.js'
import { ManagementServer, type ManagementSource, type MdnsSocket } from '@clusterfunk/management'
import type { PromMetrics } from '../metrics/prom-metrics.js'
import type { ReadinessProbe } from '../metrics/health.js'
import { MetricsServer } from '../metrics/server.js'
import { StatusPage } from '../metrics/status-page.js'
import type { StatusPageSource } from '../metrics/status-types.js'
import { AckSender, GrpcAckChannel } from './acks.js'
import { ClusterFsm } from './fsm.js'
import type { CoordinationReplica } from '../coordination/replica.js'
import type { ResolvedClusterInit } from './options.js'
import type { AckPart, CheckerPart, EndpointPart, ManagementPart, StorePart, SwimPart } from './part-types.js'
import { managementClientTls, managementServerTls, raftTls } from './security.js'
import { ZeroconfJoiner } from './zeroconf-join.js'

/**
 * The parts a started cluster node runs, typed by what the core uses of
 * them, so that simulated parts (`@clusterfunk/cluster/sim`) fit as well
 * as the real ones `assembleParts` builds.
 */
export interface ClusterParts {
  nodeId: string
  raft: Raft<void>
  transport: RaftTransport
  store: StorePart
  swim: SwimPart
  endpoint: EndpointPart
  checker: CheckerPart
  management: ManagementPart
  metricsServer: MetricsServer | undefined
  zeroconf: ZeroconfJoiner | undefined
  acks: AckPart
}

/** What `assembleParts` wires the parts to. */
export interface PartsDeps {
  nodeId: string
  coordinator: ShardCoordinator
  clock: Clock
  /** This process's local health, one monitor for the node's parts (the liveness checker's verdicts, the leader's ack wait). */
  health: LocalHealth
  logger: Logger
  metrics: PromMetrics
  skippedEntries: Counter
  source: ManagementSource
  /** The coordinator may have outputs to act on. */
  changed: () => void
  /** The management endpoint of the leader this node knows, for acks. */
  leaderManagementAddress: () => string | undefined
  /** The node's replica of the shared state and locks, fed by the Raft FSM (default: a fresh one nobody reads). */
  coordination?: CoordinationReplica | undefined
  /** Makes zeroconf's mDNS socket (tests: a `MemoryMulticastNetwork`'s). */
  createMdnsSocket?: (() => MdnsSocket) | undefined
  /** What the metrics server's `/ready` answers from. Default: no `/ready`. */
  readiness?: ReadinessProbe | undefined
  /** What the status page shows, when `statusPage` is on. */
  statusSource?: StatusPageSource | undefined
}

/**
 * Builds (does not start) every part of a node: the Raft group on a
 * classic-level log in `dataDir/raft` and file snapshots in
 * `dataDir/snapshots` over gRPC, SWIM, the liveness endpoint and checker
 * (keyed by a hash of the token when there is one), the management server,
 * the optional metrics server and zeroconf, and the ack sender. Opens the store; closes it again when building fails.
 */
export async function assembleParts (o: ResolvedClusterInit, d: PartsDeps): Promise<ClusterParts> {
  const store = new LevelStore(path.join(o.dataDir, 'raft'))
  await store.open()
  try {
    const components = { clock: d.clock, logger: d.logger, metrics: d.metrics }
    const token = o.token === undefined ? {} : { token: o.token }
    const transport = new GrpcTransport({ logger: d.logger, metrics: d.metrics }, {
      host: o.host, port: o.raftPort, ...token, ...(o.tls === undefined ? {} : { tls: raftTls(o.tls) })
    })
    const fsm = new ClusterFsm({ coordinator: d.coordinator, coordination: d.coordination, clock: d.clock, logger: d.logger, dropped: d.skippedEntries }, d.changed)
    const raft = new Raft<void>({
      ...components, transport, logStore: store, stableStore: store, snapshotStore: new FileSnapshotStore(path.join(o.dataDir, 'snapshots')), fsm
    }, { id: d.nodeId, preset: o.raftPreset, snapshotThreshold: o.raftSnapshotThreshold, trailingLogs: o.raftTrailingLogs })
    const key = o.token === undefined ? {} : { key: createHash('sha256').update(`clusterfunk-liveness:${o.token}`).digest() }
    const endpoint = new LivenessEndpoint(components, { nodeId: d.nodeId, host: o.host, port: o.livenessPort, ...key })
    const checker = new LivenessChecker({ ...components, health: d.health }, { host: o.host, intervalMs: o.livenessIntervalMs, retries: o.livenessRetries, ...key })
    const management = new ManagementServer({ source: d.source, ...components }, {
      host: o.host, port: o.managementPort, allowInsecureToken: o.allowInsecureToken, ...token, ...(o.tls === undefined ? {} : { tls: managementServerTls(o.tls) })
    })
    const swim = new Swim(components, { id: d.nodeId, host: o.host, port: o.swimPort, preset: o.swimPreset, ...(o.keyring === undefined ? {} : { keyring: o.keyring }) })
    const coordinator = d.coordinator
    return {
      nodeId: d.nodeId,
      raft,
      transport,
      store,
      swim,
      endpoint,
      checker,
      management,
      metricsServer: o.metricsPort === undefined
        ? undefined
        : new MetricsServer({
          metrics: d.metrics,
          guardMetrics: d.metrics,
          logger: d.logger,
          ...(d.readiness === undefined ? {} : { readiness: d.readiness }),
          ...(o.statusPage && d.statusSource !== undefined ? { statusPage: new StatusPage({ source: d.statusSource, logger: d.logger }) } : {})
        }, { host: o.host, port: o.metricsPort }),
      zeroconf: o.zeroconf ? new ZeroconfJoiner({ logger: d.logger, metrics: d.metrics, createSocket: d.createMdnsSocket }, { clusterName: o.name, nodeId: d.nodeId, host: o.host }) : undefined,
      acks: new AckSender({
        nodeId: d.nodeId,
        channel: new GrpcAckChannel({
          token: o.token,
          tls: o.tls === undefined ? undefined : managementClientTls(o.tls),
          logger: d.logger
        }),
        clock: d.clock,
        logger: d.logger,
        timeoutMs: o.ackTimeoutMs,
        leaderAddress: d.leaderManagementAddress,
        stillOwed: version => coordinator.pendingMap?.version === version
      })
    }
  } catch (err) {
    await store.close()
    throw err
  }
}
