import { isIP } from 'node:net'
import { InvalidConfigError } from '@clusterfunk/core'
import { NODE_ID_RULE, isValidNodeId } from '@clusterfunk/management'
import { MAX_REPLICATION_FACTOR, MAX_SHARDS, MAX_WEIGHT } from '@clusterfunk/sharding'
import type { Keyring, KeyInput, SwimPreset } from '@clusterfunk/swim'
import { RAFT_PRESETS, type RaftPreset } from '@clusterfunk/raft'
import { CLUSTER_DEFAULTS, CLUSTER_TIMINGS, MIN_LEASE_HEARTBEATS, type ClusterTiming } from './constants.js'
import { resolveGossipKeys, resolveTls, type ClusterTlsInit, type ResolvedClusterTls } from './security.js'

/** Options of `createCluster`. Only `name` and `dataDir` are required. */
export interface ClusterInit {
  /** The cluster's name: SWIM label of the zeroconf records, and what `status()` reports. */
  name: string
  /** Where the Raft log, stable store, snapshots and the node id live. */
  dataDir: string
  /** This node's id. Default: a random id created once and kept in `dataDir/node-id`, so a restart keeps it. */
  nodeId?: string
  /** IP literal every listener binds and every endpoint advertises. Default `127.0.0.1`. */
  host?: string
  /** SWIM port (UDP and TCP). Default 7946; 0 takes a free one. */
  swimPort?: number
  /** Raft gRPC port. Default 0 (a free one). */
  raftPort?: number
  /** Liveness UDP port. Default 0. */
  livenessPort?: number
  /** Management gRPC port. Default 0. */
  managementPort?: number
  /**
   * Serve Prometheus metrics over HTTP on this port (0: a free one), with
   * `/health` and `/ready` for probes. Default: no metrics server.
   */
  metricsPort?: number
  /**
   * Serve the live status page at `/status` on the metrics server (needs
   * `metricsPort`): members, leader, shard chart, map versions and events.
   * It shows node ids and endpoint addresses to whoever reaches the port.
   * Default false.
   */
  statusPage?: boolean
  /** SWIM addresses (`host:port`) to join at start. Default none. */
  join?: readonly string[]
  /** Safe bootstrap: a node without Raft state waits until this many members are alive, then the lowest id bootstraps them all. */
  bootstrapExpect?: number
  /** Publish and browse zeroconf records (multicast DNS) to find peers. Default true. */
  zeroconf?: boolean
  /** Shards in the map. Default 10 000. */
  shards?: number
  /**
   * Owners a shard: a primary and R − 1 replicas on distinct nodes (fewer
   * while the cluster has fewer nodes), integer 1..8. Every node should use
   * the same value; the leader's applies. Default 1.
   */
  replicationFactor?: number
  /**
   * This node's weight in the shard map: its share of primaries and of
   * replicas is S·weight/Σweights. Integer 1..1 000 000, published to the
   * others as the SWIM tag `shard.weight`. Default 1.
   */
  weight?: number
  /** Raft voters at most; members beyond are non-voters. Default 5. */
  maxVoters?: number
  /**
   * The timing preset: `'stable'` (the default) holds on a busy or shared
   * host; `'fast'` finds failures in a few hundred milliseconds on a quiet,
   * dedicated one (`CLUSTER_TIMINGS` says what each sets and costs). The
   * five options below override their preset's value one by one.
   */
  timing?: ClusterTiming
  /** Raft timing preset. Default: the timing preset's (`'default'` for stable, `'fast'` for fast). */
  raftPreset?: RaftPreset
  /**
   * How long a node goes on serving after it last confirmed contact with the
   * leader (ms); a map that leaves out a node that does not ack commits this
   * long after the leader applied it. At least three Raft heartbeats.
   * Default: 1 000 (stable), 150 (fast).
   */
  leaseMs?: number
  /** How long the leader waits for every node's ack of a proposed map (ms). Default: 1 000 (stable), 500 (fast). */
  ackTimeoutMs?: number
  /** SWIM timing preset. Default `'lan'`. */
  swimPreset?: SwimPreset
  /** Cluster token for Raft (≥ 8 characters, proven with an HMAC, never sent) and the management API (a bearer token). Default none. */
  token?: string
  /**
   * Start on a non-loopback `host` with a `token` but without `tls` or
   * without `gossipKeys`, knowing what that exposes: without TLS the token
   * travels in clear between funkctl and the management port; without
   * gossip keys anyone who can send a datagram to the SWIM port can forge
   * members and their endpoint tags. A warning saying so is logged at start.
   * Default false: such a node refuses to start. Loopback hosts need neither.
   */
  insecure?: boolean
  /** @deprecated The old name of `insecure`; still taken, with the same meaning. */
  allowInsecureToken?: boolean
  /** TLS for every TCP/gRPC channel: Raft, the management server, acks and forwarded calls. Default none (plaintext). */
  tls?: ClusterTlsInit
  /**
   * Gossip encryption (AES-256-GCM) keys for SWIM, primary first: 32 bytes
   * each, raw or base64 (`generateGossipKey()`). Rotate them at runtime with
   * `installGossipKey`, `useGossipKey` and `removeGossipKey`. Default none.
   */
  gossipKeys?: readonly KeyInput[]
  /** How long a member SWIM holds failed stays in the Raft group before the leader removes it (ms). Default 30 000. */
  failedRemovalMs?: number
  /**
   * Applied Raft entries between snapshots of the cluster state. Default 64:
   * the state is small (the node set and at most two maps) while every
   * proposal carries a whole map, so a node that joins or falls behind gets
   * one snapshot and a short tail instead of every map ever proposed.
   */
  raftSnapshotThreshold?: number
  /** Raft entries kept behind a snapshot, for a follower slightly behind. Default 16. */
  raftTrailingLogs?: number
  /** Liveness probe interval of the leader's checker (ms). Default: 200 (stable), 100 (fast). */
  livenessIntervalMs?: number
  /** Consecutive missed liveness probes that make a node dead. Default: 5 (stable), 3 (fast). */
  livenessRetries?: number
}

/** The options `CLUSTER_DEFAULTS` gives a value to. */
type DefaultedOption = keyof typeof CLUSTER_DEFAULTS
/** The options a timing preset gives a value to. */
type TimedOption = keyof typeof CLUSTER_TIMINGS['stable']

/** `ClusterInit` with every default applied: each defaulted option as a plain value, the rest resolved. */
export type ResolvedClusterInit = Pick<Required<ClusterInit>, DefaultedOption | TimedOption | 'name' | 'dataDir'> & {
  nodeId: string | undefined
  metricsPort: number | undefined
  join: string[]
  bootstrapExpect: number | undefined
  token: string | undefined
  /** `insecure` (or the deprecated `allowInsecureToken`) was set. */
  insecure: boolean
  /** What a node bound as configured exposes, for the start-up warning; empty when nothing. */
  exposed: string[]
  allowInsecureToken: boolean
  tls: ResolvedClusterTls | undefined
  /** The gossip keyring, shared with SWIM, so keys rotated through the facade take effect at once and survive a restart of this object. */
  keyring: Keyring | undefined
}

function port (option: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback
  if (!Number.isInteger(v) || v < 0 || v > 65_535) throw new InvalidConfigError(option, 'must be an integer in 0..65535')
  return v
}

function positive (option: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback
  if (!Number.isSafeInteger(v) || v < 1) throw new InvalidConfigError(option, 'must be a whole number above 0')
  return v
}

/** Validates `init` (throwing `InvalidConfigError` naming the option) and applies the defaults. */
export function resolveClusterInit (init: ClusterInit): ResolvedClusterInit {
  if (typeof init !== 'object' || init === null) throw new InvalidConfigError('name', 'is required')
  if (typeof init.name !== 'string' || !/^[A-Za-z0-9-]{1,40}$/.test(init.name)) {
    throw new InvalidConfigError('name', 'must be 1..40 letters, digits or dashes')
  }
  if (typeof init.dataDir !== 'string' || init.dataDir === '') throw new InvalidConfigError('dataDir', 'is required: the Raft log and snapshots live there')
  if (init.nodeId !== undefined && !isValidNodeId(init.nodeId)) {
    throw new InvalidConfigError('nodeId', `must be ${NODE_ID_RULE}`)
  }
  const host = init.host ?? CLUSTER_DEFAULTS.host
  if (typeof host !== 'string' || isIP(host) === 0 || host === '0.0.0.0' || host === '::') {
    throw new InvalidConfigError('host', 'must be a specific IP literal such as 127.0.0.1')
  }
  const join = init.join ?? []
  if (!Array.isArray(join) || join.some(a => typeof a !== 'string' || !/^.+:\d{1,5}$/.test(a))) {
    throw new InvalidConfigError('join', 'must be a list of host:port SWIM addresses')
  }
  if (init.bootstrapExpect !== undefined) positive('bootstrapExpect', init.bootstrapExpect, 1)
  const timing = init.timing ?? CLUSTER_DEFAULTS.timing
  if (timing !== 'stable' && timing !== 'fast') throw new InvalidConfigError('timing', "must be 'stable' or 'fast'")
  const preset = CLUSTER_TIMINGS[timing]
  const raftPreset = init.raftPreset ?? preset.raftPreset
  if (raftPreset !== 'fast' && raftPreset !== 'default') throw new InvalidConfigError('raftPreset', "must be 'fast' or 'default'")
  const leaseMs = positive('leaseMs', init.leaseMs, preset.leaseMs)
  const minLeaseMs = RAFT_PRESETS[raftPreset].heartbeatMs * MIN_LEASE_HEARTBEATS
  if (leaseMs < minLeaseMs) throw new InvalidConfigError('leaseMs', `must be at least ${minLeaseMs} ms (${MIN_LEASE_HEARTBEATS} heartbeats of the '${raftPreset}' Raft preset): it is renewed by a round trip through the leader`)
  const swimPreset = init.swimPreset ?? CLUSTER_DEFAULTS.swimPreset
  if (!['lan', 'wan', 'local'].includes(swimPreset)) throw new InvalidConfigError('swimPreset', "must be 'lan', 'wan' or 'local'")
  if (init.token !== undefined && (typeof init.token !== 'string' || init.token.length < 8)) {
    throw new InvalidConfigError('token', 'must be at least 8 characters')
  }
  const tls = resolveTls(init.tls, host)
  const loopback = host === '::1' || host.startsWith('127.')
  const keyring = resolveGossipKeys(init.gossipKeys)
  if (init.insecure !== undefined && typeof init.insecure !== 'boolean') throw new InvalidConfigError('insecure', 'must be true or false')
  const insecure = init.insecure === true || init.allowInsecureToken === true
  const exposed: string[] = []
  if (init.token !== undefined && !loopback) {
    if (tls === undefined) exposed.push('without tls the cluster token travels in clear between funkctl and the management port')
    if (keyring === undefined) exposed.push('without gossipKeys anyone who can send UDP to the SWIM port can forge members and their endpoint tags (ep.*)')
  }
  if (exposed.length > 0 && !insecure) {
    throw new InvalidConfigError('insecure', `a token on the non-loopback host ${host} needs ${[tls === undefined ? 'tls' : '', keyring === undefined ? 'gossipKeys' : ''].filter(x => x !== '').join(' and ')}: ${exposed.join('; ')}. Set them, or set insecure: true to accept that`)
  }
  if (init.zeroconf !== undefined && typeof init.zeroconf !== 'boolean') throw new InvalidConfigError('zeroconf', 'must be true or false')
  const shards = positive('shards', init.shards, CLUSTER_DEFAULTS.shards)
  if (shards > MAX_SHARDS) throw new InvalidConfigError('shards', `must be at most ${MAX_SHARDS}`)
  const maxVoters = positive('maxVoters', init.maxVoters, CLUSTER_DEFAULTS.maxVoters)
  if (init.statusPage !== undefined && typeof init.statusPage !== 'boolean') throw new InvalidConfigError('statusPage', 'must be true or false')
  if (init.statusPage === true && init.metricsPort === undefined) throw new InvalidConfigError('statusPage', 'needs metricsPort: the page is served by the metrics HTTP server')
  const replicationFactor = positive('replicationFactor', init.replicationFactor, CLUSTER_DEFAULTS.replicationFactor)
  if (replicationFactor > MAX_REPLICATION_FACTOR) throw new InvalidConfigError('replicationFactor', `must be at most ${MAX_REPLICATION_FACTOR}`)
  const weight = positive('weight', init.weight, CLUSTER_DEFAULTS.weight)
  if (weight > MAX_WEIGHT) throw new InvalidConfigError('weight', `must be at most ${MAX_WEIGHT}`)
  return {
    name: init.name,
    dataDir: init.dataDir,
    nodeId: init.nodeId,
    host,
    swimPort: port('swimPort', init.swimPort, CLUSTER_DEFAULTS.swimPort),
    raftPort: port('raftPort', init.raftPort, CLUSTER_DEFAULTS.raftPort),
    livenessPort: port('livenessPort', init.livenessPort, CLUSTER_DEFAULTS.livenessPort),
    managementPort: port('managementPort', init.managementPort, CLUSTER_DEFAULTS.managementPort),
    metricsPort: init.metricsPort === undefined ? undefined : port('metricsPort', init.metricsPort, 0),
    join: [...join],
    bootstrapExpect: init.bootstrapExpect,
    zeroconf: init.zeroconf ?? CLUSTER_DEFAULTS.zeroconf,
    statusPage: init.statusPage ?? CLUSTER_DEFAULTS.statusPage,
    shards,
    replicationFactor,
    weight,
    maxVoters,
    timing,
    ackTimeoutMs: positive('ackTimeoutMs', init.ackTimeoutMs, preset.ackTimeoutMs),
    raftPreset,
    leaseMs,
    swimPreset,
    token: init.token,
    insecure,
    exposed: insecure ? exposed : [],
    allowInsecureToken: insecure,
    tls,
    keyring,
    failedRemovalMs: positive('failedRemovalMs', init.failedRemovalMs, CLUSTER_DEFAULTS.failedRemovalMs),
    raftSnapshotThreshold: positive('raftSnapshotThreshold', init.raftSnapshotThreshold, CLUSTER_DEFAULTS.raftSnapshotThreshold),
    raftTrailingLogs: positive('raftTrailingLogs', init.raftTrailingLogs, CLUSTER_DEFAULTS.raftTrailingLogs),
    livenessIntervalMs: positive('livenessIntervalMs', init.livenessIntervalMs, preset.livenessIntervalMs),
    livenessRetries: positive('livenessRetries', init.livenessRetries, preset.livenessRetries)
  }
}
