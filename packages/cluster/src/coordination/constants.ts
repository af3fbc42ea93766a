/**
 * The limits and timings of shared state and locks. The limits are part of
 * the replicated state machine: every replica checks them when it applies
 * an entry, so they are constants (the same on every node), not options.
 */
export const COORDINATION_DEFAULTS = {
  /** Longest key, in UTF-8 bytes. */
  maxKeyBytes: 256,
  /** Largest value, in bytes (a management request is at most 64 KiB). */
  maxValueBytes: 32 * 1024,
  /** Keys and values together, in bytes. */
  maxTotalBytes: 8 * 1024 * 1024,
  /** Keys at most. */
  maxKeys: 10_000,
  /** Recent revisions kept for `watch(prefix, { fromRevision })` to resume from. */
  historyRevisions: 1_000,
  /** Events buffered for one watcher before it is ended (it resumes from its last revision). */
  watchBuffer: 1_024,
  /** Locks held or waited for at once. */
  maxLocks: 1_000,
  /** Waiters queued on one lock. */
  maxWaitersPerLock: 64,
  /** Longest lock name, in UTF-8 bytes. */
  maxLockNameBytes: 256,
  /** A lease's time to live when `ttlMs` is not given. */
  lockTtlMs: 10_000,
  /** Shortest and longest lease a holder may ask for. */
  minLockTtlMs: 200,
  maxLockTtlMs: 10 * 60_000,
  /** Longest a waiter may queue (a `wait` of `true` means this long). */
  maxLockWaitMs: 24 * 60 * 60_000,
  /** A holder renews when this fraction of its ttl has passed since its last renewal. */
  renewFraction: 1 / 3,
  /** How often the leader looks for leases and waits that ran out. */
  expiryCheckMs: 50,
  /** How long a write or lock call waits for its entry to commit. */
  proposeTimeoutMs: 5_000,
  /** Results of appended entries kept for their callers (each caller takes its own at once). */
  maxPendingResults: 4_096
} as const
