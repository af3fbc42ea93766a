import type { Entry, SnapshotMetadata } from './types.js'

/**
 * The tail of the log the core owns until the driver persists it: entries
 * from `offset` on, and a received snapshot not yet written. The driver
 * learns of them from `Ready` and reports them durable through `advance()`.
 */
export class Unstable {
  snapshot: SnapshotMetadata | undefined
  entries: Entry[] = []
  /** The index of `entries[0]` (or where the next entry will go). */
  offset: number

  constructor (offset: number) {
    this.offset = offset
  }

  /** The index of the first entry when only the snapshot is known. */
  maybeFirstIndex (): number | undefined {
    return this.snapshot === undefined ? undefined : this.snapshot.index + 1
  }

  maybeLastIndex (): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1
    return this.snapshot?.index
  }

  maybeTerm (index: number): number | undefined {
    if (index < this.offset) {
      return this.snapshot !== undefined && this.snapshot.index === index ? this.snapshot.term : undefined
    }
    return this.entries[index - this.offset]?.term
  }

  /** The entries up to `index` (whose term is `term`) are durable: drop them. */
  stableTo (index: number, term: number): void {
    if (this.maybeTerm(index) !== term || index < this.offset) return
    this.entries = this.entries.slice(index + 1 - this.offset)
    this.offset = index + 1
  }

  stableSnapTo (index: number): void {
    if (this.snapshot !== undefined && this.snapshot.index === index) this.snapshot = undefined
  }

  restore (snapshot: SnapshotMetadata): void {
    this.offset = snapshot.index + 1
    this.entries = []
    this.snapshot = snapshot
  }

  /** Appends `entries`, replacing any entries at or after the first new index. */
  truncateAndAppend (entries: readonly Entry[]): void {
    const first = (entries[0] as Entry).index
    if (first === this.offset + this.entries.length) {
      this.entries.push(...entries)
    } else if (first <= this.offset) {
      // The new entries replace part of the durable log: the driver's append truncates it.
      this.offset = first
      this.entries = [...entries]
    } else {
      this.entries = [...this.entries.slice(0, first - this.offset), ...entries]
    }
  }

  /** Entries `lo` to `hi` (exclusive), all within the unstable tail. */
  slice (lo: number, hi: number): Entry[] {
    return this.entries.slice(lo - this.offset, hi - this.offset)
  }
}
