import type { Storage, InitialState } from './storage.js'
import { limitSize, type Entry, type HardState, type SnapshotMetadata } from './types.js'

/**
 * The core's synchronous `Storage` view over a durable `LogStore`: the log
 * the core may read is held in memory, loaded when the node starts, and
 * every change is made here only after the `LogStore` made it durable (the
 * `Raft` driver persists each Ready before it sends anything). Memory use
 * is bounded by compaction: the snapshot threshold plus the trailing logs.
 *
 * The snapshot the core reports to followers (`snapshotMetadata()`) and the
 * first index held are independent: after a local snapshot at S the cache
 * keeps `trailingLogs` entries before S, so a follower slightly behind gets
 * entries, not a snapshot.
 */
export class LogCache implements Storage {
  private hardState: HardState
  private snap: SnapshotMetadata
  private ents: Entry[] = []
  /** Index of ents[0] (of the next entry when empty). */
  private offset: number
  /** Term of the entry at offset - 1. */
  private prevTerm: number

  constructor (snapshot: SnapshotMetadata, hardState: HardState, entries: readonly Entry[]) {
    this.snap = snapshot
    this.hardState = hardState
    this.offset = snapshot.index + 1
    this.prevTerm = snapshot.term
    // Entries the snapshot covers are not handed to a starting core (it reads the configuration from the snapshot).
    this.append(entries.filter(e => e.index > snapshot.index))
  }

  initialState (): InitialState {
    return { hardState: this.hardState }
  }

  firstIndex (): number {
    return this.offset
  }

  lastIndex (): number {
    return this.offset + this.ents.length - 1
  }

  term (index: number): number | undefined {
    if (index === this.offset - 1) return this.prevTerm
    if (index === this.snap.index) return this.snap.term
    return this.ents[index - this.offset]?.term
  }

  entries (lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo < this.offset || hi > this.lastIndex() + 1 || lo >= hi) {
      throw new RangeError(`entries(${lo}, ${hi}) outside ${this.offset}..${this.lastIndex()}`)
    }
    return limitSize(this.ents.slice(lo - this.offset, hi - this.offset), maxBytes)
  }

  snapshotMetadata (): SnapshotMetadata {
    return this.snap
  }

  get savedHardState (): HardState {
    return this.hardState
  }

  setHardState (hardState: HardState): void {
    this.hardState = hardState
  }

  /** Entries made durable: those at or after the first new index are replaced. */
  append (entries: readonly Entry[]): void {
    const head = entries[0]
    if (head === undefined) return
    if (head.index > this.lastIndex() + 1) throw new RangeError(`append at ${head.index} leaves a gap after ${this.lastIndex()}`)
    const fresh = head.index < this.offset ? entries.filter(e => e.index >= this.offset) : entries
    const first = fresh[0]
    if (first === undefined) return
    this.ents.length = first.index - this.offset
    for (const e of fresh) this.ents.push(e)
  }

  /** A snapshot was taken locally (its entries stay until `compactTo`). */
  setSnapshot (snapshot: SnapshotMetadata): void {
    this.snap = snapshot
  }

  /** A snapshot from the leader replaced the log. */
  installSnapshot (snapshot: SnapshotMetadata): void {
    this.snap = snapshot
    this.ents = []
    this.offset = snapshot.index + 1
    this.prevTerm = snapshot.term
  }

  /** Drops entries up to and including `index` (never past the snapshot). */
  compactTo (index: number): void {
    const upTo = Math.min(index, this.snap.index, this.lastIndex())
    if (upTo < this.offset) return
    this.prevTerm = this.term(upTo) as number
    this.ents = this.ents.slice(upTo - this.offset + 1)
    this.offset = upTo + 1
  }
}
