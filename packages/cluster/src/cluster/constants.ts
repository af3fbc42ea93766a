/**
 * Every default of a cluster node, in one place. `ClusterInit` documents
 * what each option means; `resolveClusterInit` applies these. The loop's
 * own timings follow below the options.
 */
export const CLUSTER_DEFAULTS = {
  /** Every listener binds and every endpoint advertises loopback unless told otherwise. */
  host: '127.0.0.1',
  /** SWIM's well-known port, as memberlist and Serf use. */
  swimPort: 7946,
  /** Raft, liveness and management take a free port each. */
  raftPort: 0,
  livenessPort: 0,
  managementPort: 0,
  /** Publish and browse zeroconf records. */
  zeroconf: true,
  /** The status page is off unless asked for: it shows the cluster to whoever reaches the metrics port. */
  statusPage: false,
  /** Shards in the map: fine enough that a node's share moves in small steps. */
  shards: 10_000,
  /** Owners a shard: a primary only. */
  replicationFactor: 1,
  /** This node's share of the shards relative to the others'. */
  weight: 1,
  /** Raft voters at most; members beyond are non-voters (five tolerate two failures). */
  maxVoters: 5,
  /** The timing preset (`CLUSTER_TIMINGS`): stable on a busy or shared host. */
  timing: 'stable',
  swimPreset: 'lan',
  /** How long a member SWIM holds failed stays in the Raft group before it is removed. */
  failedRemovalMs: 30_000,
  /** Applied Raft entries between snapshots: each proposal carries a whole map, so a small number. */
  raftSnapshotThreshold: 64,
  /** Raft entries kept behind a snapshot, for a follower slightly behind. */
  raftTrailingLogs: 16
} as const

/**
 * The timing presets of a cluster node: every timeout that decides another
 * node is gone or that this node may serve. An option set on its own
 * (`raftPreset`, `leaseMs`, `ackTimeoutMs`, `livenessIntervalMs`,
 * `livenessRetries`) overrides its preset's value.
 *
 * - `stable` (the default) holds on a busy or shared host, where a process
 *   can be kept from running for a few hundred milliseconds: Raft's
 *   etcd-like timings (heartbeat 100 ms, election 1–2 s), a serving lease of
 *   1 s, liveness probes every 200 ms with 5 misses to be dead, 1 s for an
 *   ack. It costs time when a node really fails: about 1 s to find a
 *   crashed node, a lease (1 s) before a map without it commits, 1–2 s for
 *   a new leader.
 * - `fast` finds failures in a few hundred milliseconds (heartbeat 50 ms,
 *   election 150–300 ms, lease 150 ms, probes every 100 ms with 3 misses,
 *   500 ms for an ack), for quiet dedicated hosts: where the process is
 *   descheduled for more than ~100 ms (a loaded machine, a noisy
 *   neighbour, long GC pauses), it sees leases lapse (nodes `Voting`),
 *   elections, and healthy nodes declared dead.
 */
export const CLUSTER_TIMINGS = {
  stable: { raftPreset: 'default', leaseMs: 1_000, ackTimeoutMs: 1_000, livenessIntervalMs: 200, livenessRetries: 5 },
  fast: { raftPreset: 'fast', leaseMs: 150, ackTimeoutMs: 500, livenessIntervalMs: 100, livenessRetries: 3 }
} as const

/** A timing preset's name. */
export type ClusterTiming = keyof typeof CLUSTER_TIMINGS

/** A serving lease must cover this many Raft heartbeats at least: it is renewed by a round trip through the leader. */
export const MIN_LEASE_HEARTBEATS = 3
/** Lease renewals (Raft reads) in flight at most: a slow one does not hold up the next. */
export const LEASE_READS_IN_FLIGHT = 3
/** Deadline of the barrier a new leader commits before it takes over the coordinator. */
export const BARRIER_TIMEOUT_MS = 5_000
/** Deadline of appending one shard-map command to the Raft log. */
export const APPEND_TIMEOUT_MS = 5_000
/** A non-voter is promoted only when it answered the leader's Raft messages this recently (the longest election timeout of the presets). */
export const ANSWERED_WITHIN_MS = 2_000
/** Deadline of one Raft membership change the leader makes to follow SWIM. */
export const MEMBERSHIP_CHANGE_TIMEOUT_MS = 10_000
/** How long a stopping leader tries to hand leadership over, and a stopping node to spread its leave. */
export const STOP_HANDOVER_MS = 1_000
/** SWIM join attempts at start, and the pause between two. */
export const JOIN_ATTEMPTS = 50
export const JOIN_RETRY_MS = 200
/** How often a node rejoins SWIM at most while its view lacks the Raft leader, or it is outside the map. */
export const MEND_MS = 2_000
/** Members a node rejoins through when it knows no leader's SWIM address. */
export const MEND_PEERS = 3
/** The pause between two attempts to send an ack to the leader. */
export const ACK_RETRY_MS = 25
/** Bounds of one ack attempt's deadline (what is left of the ack timeout, within these). */
export const ACK_ATTEMPT_MIN_MS = 20
export const ACK_ATTEMPT_MAX_MS = 250
