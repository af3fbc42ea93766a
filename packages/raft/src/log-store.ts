import type { Entry, HardState } from './types.js'

/** How a write reaches the disk. */
export interface WriteOptions {
  /** Wait until the write is on stable storage (fsync). Default true. */
  sync?: boolean
}

/**
 * Where the Raft log lives (the contract of hashicorp's LogStore, for a log
 * that is only ever appended to, truncated at its end, and compacted at its
 * start). Indexes are contiguous: the store holds every entry from
 * `firstIndex()` to `lastIndex()`, both 0 when it is empty.
 *
 * `firstIndex()` and `lastIndex()` are answered from memory. Every write
 * completes only once it is durable (fsync) unless `sync: false` is asked
 * for, and every write is atomic: after a crash either all of it or none of
 * it is there. A store that finds itself damaged when opened (a gap, an
 * entry that does not decode or fails its checksum) refuses to open with an
 * error that names the problem; it never serves part of a log.
 */
export interface LogStore {
  firstIndex: () => number
  lastIndex: () => number
  /** Entries `lo` (inclusive) to `hi` (exclusive), within the held range. Used when a node starts. */
  getLogs: (lo: number, hi: number) => Promise<Entry[]>
  /**
   * Appends `entries` (contiguous). Stored entries at or after the first
   * new index are deleted in the same atomic write: this is how a
   * conflicting suffix is truncated. The first new index must be at most
   * `lastIndex() + 1` (any index when the store is empty).
   */
  storeLogs: (entries: readonly Entry[], options?: WriteOptions) => Promise<void>
  /** Deletes every entry up to and including `index` in one atomic write (log compaction). */
  compactTo: (index: number, options?: WriteOptions) => Promise<void>
  /** Deletes every entry in one atomic write (a snapshot from the leader replaces the log). */
  clearLogs: (options?: WriteOptions) => Promise<void>
}

/**
 * Where term, vote and commit index live (hashicorp's StableStore, narrowed
 * to what Raft keeps). `setHardState` is durable when it resolves unless
 * `sync: false` is asked for; the driver syncs every change of term or vote
 * and may leave a change of the commit index alone unsynced (a commit index
 * lost in a crash is learned again from the leader).
 */
export interface StableStore {
  /** The saved hard state; term 0, no vote, commit 0 for a new node. */
  getHardState: () => Promise<HardState>
  setHardState: (hardState: HardState, options?: WriteOptions) => Promise<void>
}

/** Checks that `entries` are contiguous and may follow a log ending at `lastIndex` (0 when empty). */
export function checkAppend (entries: readonly Entry[], firstIndex: number, lastIndex: number): void {
  const first = entries[0]
  if (first === undefined) return
  if (lastIndex > 0 && (first.index > lastIndex + 1 || first.index < firstIndex)) {
    throw new RangeError(`cannot store entries from ${first.index}: the log holds ${firstIndex}..${lastIndex}`)
  }
  for (let i = 1; i < entries.length; i++) {
    if ((entries[i] as Entry).index !== first.index + i) throw new RangeError('entries to store are not contiguous')
  }
}
