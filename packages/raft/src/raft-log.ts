import type { Storage } from './storage.js'
import { Unstable } from './unstable.js'
import { limitSize, type Entry, type SnapshotMetadata } from './types.js'

/**
 * The log as Raft reasons about it: the durable part in `Storage` plus the
 * unstable tail, with the commit and apply positions. Invariant:
 * `applied <= committed <= lastIndex()`.
 */
export class RaftLog {
  readonly storage: Storage
  readonly unstable: Unstable
  committed: number
  applied: number

  constructor (storage: Storage, committed: number, applied: number) {
    this.storage = storage
    this.unstable = new Unstable(storage.lastIndex() + 1)
    this.committed = committed
    this.applied = Math.max(applied, storage.firstIndex() - 1)
  }

  firstIndex (): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex()
  }

  lastIndex (): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex()
  }

  /** The term of entry `index`, or undefined when it is compacted or beyond the log. */
  term (index: number): number | undefined {
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined
    return this.unstable.maybeTerm(index) ?? this.storage.term(index)
  }

  lastTerm (): number {
    return this.term(this.lastIndex()) ?? 0
  }

  matchTerm (index: number, term: number): boolean {
    return this.term(index) === term
  }

  /** The last index whose entry is durable (the driver has persisted it). */
  stableIndex (): number {
    return this.unstable.offset - 1
  }

  /** Raft §5.4.1: is a log ending at (`lastIndex`, `lastTerm`) at least as up to date as ours? */
  isUpToDate (lastIndex: number, lastTerm: number): boolean {
    const ours = this.lastTerm()
    return lastTerm > ours || (lastTerm === ours && lastIndex >= this.lastIndex())
  }

  /**
   * Entries `lo` (inclusive) to `hi` (exclusive) within `maxBytes` (at least
   * one), or undefined when `lo` is compacted.
   */
  slice (lo: number, hi: number, maxBytes: number): Entry[] | undefined {
    if (lo < this.firstIndex()) return undefined
    hi = Math.min(hi, this.lastIndex() + 1)
    if (lo >= hi) return []
    let result: Entry[] = []
    const offset = this.unstable.offset
    if (lo < offset) {
      result = this.storage.entries(lo, Math.min(hi, offset), maxBytes)
      if (result.length < Math.min(hi, offset) - lo) return result
    }
    if (hi > offset) result = result.concat(this.unstable.slice(Math.max(lo, offset), hi))
    return limitSize(result, maxBytes)
  }

  /** Appends entries (their indexes say where), replacing any conflicting suffix. */
  append (entries: readonly Entry[]): void {
    if (entries.length === 0) return
    const first = (entries[0] as Entry).index
    if (first <= this.committed) throw new Error(`append at ${first} would overwrite committed entries up to ${this.committed}`)
    this.unstable.truncateAndAppend(entries)
  }

  /**
   * The follower side of AppendEntries: when our entry at `prevIndex` has
   * `prevTerm`, keep what matches, drop the first conflicting entry and all
   * that follow, append the rest. Returns the new entries actually appended
   * and the last index known to match, or undefined when `prevIndex` does
   * not match.
   */
  maybeAppend (prevIndex: number, prevTerm: number, entries: readonly Entry[]): { lastNew: number, appended: Entry[] } | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined
    const lastNew = prevIndex + entries.length
    const conflict = entries.findIndex(e => !this.matchTerm(e.index, e.term))
    if (conflict === -1) return { lastNew, appended: [] }
    const appended = entries.slice(conflict)
    this.append(appended)
    return { lastNew, appended }
  }

  /**
   * The first index of the term of entry `index`, looking no further back
   * than the first index after the commit (committed entries match any leader).
   */
  firstIndexOfTerm (index: number): number {
    const term = this.term(index)
    let i = index
    const floor = Math.max(this.committed + 1, this.firstIndex())
    while (i > floor && this.term(i - 1) === term) i--
    return i
  }

  /** The last index at or before `index` whose term is `term`, or undefined. */
  lastIndexOfTerm (index: number, term: number): number | undefined {
    let i = Math.min(index, this.lastIndex())
    for (;;) {
      const t = this.term(i)
      if (t === undefined || t < term) return undefined
      if (t === term) return i
      i--
    }
  }

  commitTo (index: number): boolean {
    const to = Math.min(index, this.lastIndex())
    if (to <= this.committed) return false
    this.committed = to
    return true
  }

  /** Restarts the log after a snapshot received from the leader. */
  restore (snapshot: SnapshotMetadata): void {
    this.committed = snapshot.index
    this.unstable.restore(snapshot)
  }
}
