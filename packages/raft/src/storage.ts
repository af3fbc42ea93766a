import type { Entry, HardState, SnapshotMetadata } from './types.js'

/** What a node finds in storage when it starts. */
export interface InitialState {
  readonly hardState: HardState
}

/**
 * The durable log as the core sees it: read-only. The driver writes to it
 * (the entries, hard state and snapshots a `Ready` hands out) before calling
 * `advance()`; the core only reads. Every method is synchronous, so a driver
 * over a disk keeps the log (or a cache of it) in memory.
 *
 * Indexes: the log holds entries `firstIndex() .. lastIndex()`. Everything
 * before `firstIndex()` is compacted into the snapshot, whose index is
 * `firstIndex() - 1`. An empty log has `lastIndex() === firstIndex() - 1`.
 */
export interface Storage {
  /** The persisted hard state (term 0, no vote, commit 0 for a new node). */
  initialState: () => InitialState
  /** The index of the first entry still held (snapshot index + 1). */
  firstIndex: () => number
  /** The index of the last entry held (the snapshot index when there is none). */
  lastIndex: () => number
  /**
   * The term of entry `index`, for `firstIndex() - 1 <= index <= lastIndex()`
   * (the term of `firstIndex() - 1` is the snapshot's); undefined outside.
   */
  term: (index: number) => number | undefined
  /**
   * Entries `lo` (inclusive) to `hi` (exclusive), for
   * `firstIndex() <= lo < hi <= lastIndex() + 1`, as many from `lo` as fit
   * in `maxBytes` (by `entrySize`), and always at least one.
   */
  entries: (lo: number, hi: number, maxBytes: number) => Entry[]
  /** The metadata of the newest snapshot (index 0 and the initial configuration when none was taken). */
  snapshotMetadata: () => SnapshotMetadata
}
