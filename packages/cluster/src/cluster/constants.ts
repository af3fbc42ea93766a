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
  /** Shards in the map: fine enough that a node's share moves in small steps. */
  shards: 10_000,
  /** Owners a shard: a primary only. */
  replicationFactor: 1,
  /** This node's share of the shards relative to the others'. */
  weight: 1,
  /** Raft voters at most; members beyond are non-voters (five tolerate two failures). */
  maxVoters: 5,
  /** How long the leader waits for every node's ack of a proposed map. */
  ackTimeoutMs: 500,
  raftPreset: 'fast',
  swimPreset: 'lan',
  /** How long a member SWIM holds failed stays in the Raft group before it is removed. */
  failedRemovalMs: 30_000,
  /** Applied Raft entries between snapshots: each proposal carries a whole map, so a small number. */
  raftSnapshotThreshold: 64,
  /** Raft entries kept behind a snapshot, for a follower slightly behind. */
  raftTrailingLogs: 16,
  /** Liveness probe interval of the leader's checker. */
  livenessIntervalMs: 100,
  /** Consecutive missed liveness probes that make a node dead. */
  livenessRetries: 3
} as const

/** A node's serving lease (and the coordinator's wait for a node that did not ack) in Raft heartbeats. */
export const CONTACT_HEARTBEATS = 3
/** Deadline of the barrier a new leader commits before it takes over the coordinator. */
export const BARRIER_TIMEOUT_MS = 5_000
/** Deadline of appending one shard-map command to the Raft log. */
export const APPEND_TIMEOUT_MS = 5_000
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
