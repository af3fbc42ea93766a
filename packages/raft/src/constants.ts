/** Election timeout in ticks: a follower campaigns after a random [T, 2T) ticks without a leader (etcd: 10). */
export const DEFAULT_ELECTION_TICKS = 10
/** Heartbeat interval in ticks (etcd: 1; with a 100 ms tick, heartbeat 100 ms and election 1 s). */
export const DEFAULT_HEARTBEAT_TICKS = 1
/** Entries in one AppendEntries at most (hashicorp MaxAppendEntries: 64). */
export const DEFAULT_MAX_ENTRIES_PER_MSG = 64
/** Bytes of entries in one AppendEntries at most, beyond the first entry (etcd MaxSizePerMsg: 1 MiB). */
export const DEFAULT_MAX_BYTES_PER_MSG = 1024 * 1024
/** AppendEntries in flight to one follower at most (etcd uses 256–512). */
export const DEFAULT_MAX_INFLIGHT = 256
/** Bytes of committed entries handed out in one Ready at most (beyond the first entry). */
export const DEFAULT_MAX_COMMITTED_BYTES_PER_READY = 64 * 1024 * 1024
/** How reads are confirmed by default: a ReadIndex heartbeat round each ('safe'), as etcd's ReadOnlySafe. */
export const DEFAULT_READ_ONLY = 'safe' as const
/**
 * The share of the election timeout the read lease leaves as a margin for
 * clock rates that differ between nodes (on top of one tick for the tick
 * phase): 0.1 is safe while no clock runs more than about 5 % faster or
 * slower than another's over one election timeout.
 */
export const LEASE_DRIFT = 0.1
/**
 * Times one ReadIndex request is made again when unanswered (each after an
 * election timeout), within its deadline: a follower's request or its answer
 * was lost, or the leader changed.
 */
export const MAX_READ_RETRIES = 16
/** The `Raft` driver's tick at most, ms: election timeouts are drawn at this granularity. */
export const DEFAULT_TICK_MS = 10

/**
 * Timing presets of the `Raft` driver. `fast` suits a LAN or one machine:
 * heartbeat 50 ms, election timeout 150–300 ms. `default` follows etcd:
 * heartbeat 100 ms, election timeout 1 000–2 000 ms. Timeouts are
 * randomised in [T, 2T).
 */
export const RAFT_PRESETS = {
  fast: { heartbeatMs: 50, electionMs: 150 },
  default: { heartbeatMs: 100, electionMs: 1000 }
} as const

/** The `Raft` driver's defaults for every option a preset does not set (see `RaftInit`). */
export const RAFT_DEFAULTS = {
  preset: 'default',
  readOnly: DEFAULT_READ_ONLY,
  preVote: true,
  checkQuorum: true,
  /** hashicorp/raft's SnapshotThreshold. */
  snapshotThreshold: 8192,
  /** hashicorp/raft's TrailingLogs. */
  trailingLogs: 10240,
  snapshotChunkBytes: 256 * 1024,
  maxEntriesPerMsg: DEFAULT_MAX_ENTRIES_PER_MSG,
  maxBatchEntries: 4096,
  maxInflight: DEFAULT_MAX_INFLIGHT,
  requestTimeoutMs: 10_000,
  catchUpLag: 64,
  /** Bytes of this leader's own proposals that may wait to commit at once (etcd's MaxUncommittedEntriesSize). */
  maxUncommittedBytes: 64 * 1024 * 1024
} as const
