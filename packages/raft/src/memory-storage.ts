import { InvalidArgumentError } from '@clusterfunk/core'
import { EMPTY_CONFIGURATION, type Configuration } from './configuration.js'
import type { Storage, InitialState } from './storage.js'
import { limitSize, type Entry, type HardState, type SnapshotMetadata } from './types.js'

/** A snapshot as `MemoryStorage` keeps it: metadata and the state machine's bytes. */
export interface StoredSnapshot {
  readonly metadata: SnapshotMetadata
  readonly data: Uint8Array
}

/**
 * An in-memory `Storage` for tests and simulation, with the write side a
 * driver needs: append entries (replacing a conflicting suffix), save the
 * hard state, install a received snapshot, take a snapshot and compact.
 * Nothing survives the process; a crash in simulation is modelled by
 * keeping the object (persisted) and dropping the core (volatile).
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: undefined, commit: 0 }
  private snapshotData: StoredSnapshot
  /** ents[0] is a dummy holding the snapshot's index and term. */
  private ents: Entry[]

  /** A new node's storage; `configuration` is the membership it starts with (empty to join later). */
  constructor (configuration: Configuration = EMPTY_CONFIGURATION) {
    this.snapshotData = { metadata: { index: 0, term: 0, configuration }, data: new Uint8Array(0) }
    this.ents = [{ index: 0, term: 0, type: 'noop', data: new Uint8Array(0) }]
  }

  initialState (): InitialState {
    return { hardState: this.hardState }
  }

  firstIndex (): number {
    return this.offset() + 1
  }

  lastIndex (): number {
    return this.offset() + this.ents.length - 1
  }

  term (index: number): number | undefined {
    const i = index - this.offset()
    if (i < 0 || i >= this.ents.length) return undefined
    return (this.ents[i] as Entry).term
  }

  entries (lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo < this.firstIndex() || hi > this.lastIndex() + 1 || lo >= hi) {
      throw new RangeError(`entries(${lo}, ${hi}) outside ${this.firstIndex()}..${this.lastIndex()}`)
    }
    return limitSize(this.ents.slice(lo - this.offset(), hi - this.offset()), maxBytes)
  }

  snapshotMetadata (): SnapshotMetadata {
    return this.snapshotData.metadata
  }

  /** The newest snapshot with its bytes, for the driver to stream to a follower. */
  snapshot (): StoredSnapshot {
    return this.snapshotData
  }

  /** The persisted hard state (what a restarted core will read). */
  get savedHardState (): HardState {
    return this.hardState
  }

  /** Persists `Ready.hardState`. */
  setHardState (hardState: HardState): void {
    this.hardState = hardState
  }

  /**
   * Persists `Ready.entries`: entries at or after the first new index are
   * replaced. The new entries must start within the log or right after it.
   */
  append (entries: readonly Entry[]): void {
    if (entries.length === 0) return
    const first = (entries[0] as Entry).index
    if (first > this.lastIndex() + 1) throw new InvalidArgumentError(`append at ${first} leaves a gap after ${this.lastIndex()}`)
    // Entries already compacted into the snapshot are skipped.
    const fresh = entries.filter(e => e.index > this.offset())
    if (fresh.length === 0) return
    const keep = (fresh[0] as Entry).index - this.offset()
    this.ents.length = keep
    for (const e of fresh) this.ents.push(e)
  }

  /** Persists `Ready.snapshot` (with the bytes the transport received): the log restarts after it. */
  applySnapshot (snapshot: StoredSnapshot): void {
    const { index, term } = snapshot.metadata
    if (index <= this.offset()) throw new InvalidArgumentError(`snapshot ${index} is not newer than ${this.offset()}`)
    this.snapshotData = snapshot
    this.ents = [{ index, term, type: 'noop', data: new Uint8Array(0) }]
  }

  /**
   * Records a snapshot the state machine took at `index` (applied entries
   * only) and discards the entries it covers.
   */
  createSnapshot (index: number, configuration: Configuration, data: Uint8Array): void {
    if (index <= this.offset() || index > this.lastIndex()) throw new InvalidArgumentError(`cannot snapshot at ${index}`)
    const term = this.term(index) as number
    this.snapshotData = { metadata: { index, term, configuration }, data }
    this.ents = this.ents.slice(index - this.offset())
    this.ents[0] = { index, term, type: 'noop', data: new Uint8Array(0) }
  }

  private offset (): number {
    return (this.ents[0] as Entry).index
  }
}
