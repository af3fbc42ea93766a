import type { Clock, Random } from '@clusterfunk/core'
import type { BatchOp, SimDisk } from '@clusterfunk/sim'
import { decodeHardState, encodeHardState } from './codec.js'
import { checkAppend, type LogStore, type StableStore, type WriteOptions } from './log-store.js'
import { CorruptStoreError, entryValue, readEntry } from './stored-entry.js'
import type { Entry, HardState } from './types.js'

const ENTRY_PREFIX = 'e/'
const ENTRY_END = 'e0' // '0' follows '/' in byte order
const HARD_STATE_KEY = 'h'

function entryKey (index: number): string {
  return ENTRY_PREFIX + String(index).padStart(16, '0')
}

/** Components of a `SimLogStore`. */
export interface SimLogStoreComponents {
  /** The node's simulated disk; it outlives the store across crashes. */
  disk: SimDisk
  /** With `random`, delays every synced write by a draw from `syncDelayMs` on this clock (the node's, so a crash cancels it). */
  clock?: Clock
  random?: Random
}

/** Options of a `SimLogStore`. */
export interface SimLogStoreInit {
  /**
   * How long a synced write takes, in ms: uniform in `[min, max]`, or drawn
   * by a function (for a heavy tail). Needs `clock` and `random`. Default 0.
   */
  syncDelayMs?: readonly [number, number] | ((random: Random) => number)
}

/**
 * A `LogStore` and `StableStore` on a `@clusterfunk/sim` `SimDisk`, laid out
 * as `LevelStore` lays out LevelDB: one key per entry (`e/<index>`, value
 * CRC-32 plus the `raft.proto` Entry), one for the hard state, every write
 * one atomic batch, synced unless `sync: false`. A synced write lands when
 * its simulated fsync time has passed, so a crash meanwhile loses it, and
 * every unsynced write before it, exactly as `SimDisk.crash()` decides.
 *
 * One store stands for one incarnation of a node: `open()` checks the log
 * on the disk as `LevelStore.open()` does; `close()` (a crash) makes every
 * later call reject, so work the dead incarnation still had queued can
 * never touch the disk of the next one.
 */
export class SimLogStore implements LogStore, StableStore {
  private readonly disk: SimDisk
  private readonly clock: Clock | undefined
  private readonly random: Random | undefined
  private readonly delay: (random: Random) => number
  private first = 0
  private last = 0
  private closed = false

  constructor (components: SimLogStoreComponents, init: SimLogStoreInit = {}) {
    this.disk = components.disk
    this.clock = components.clock
    this.random = components.random
    const d = init.syncDelayMs ?? [0, 0]
    if (typeof d === 'function') {
      this.delay = d
    } else {
      const [min, max] = d
      if (!(min >= 0 && max >= min)) throw new RangeError('syncDelayMs must be [min, max] with 0 <= min <= max')
      this.delay = max === 0 ? () => 0 : (random) => min + random.float() * (max - min)
    }
  }

  /** Reads and checks the whole log on the disk (checksums, contiguity, the hard state). */
  async open (): Promise<void> {
    let expected = 0
    for (const [key, value] of this.disk.entries({ gte: ENTRY_PREFIX, lt: ENTRY_END })) {
      const index = Number(key.slice(ENTRY_PREFIX.length))
      if (expected !== 0 && index !== expected) throw new CorruptStoreError(`log store ${this.disk.node}: the log has a gap, entries ${expected}..${index - 1} are missing`)
      readEntry(index, value, this.disk.node)
      if (this.first === 0) this.first = index
      this.last = index
      expected = index + 1
    }
    const hs = this.disk.get(HARD_STATE_KEY)
    if (hs !== undefined) {
      try {
        decodeHardState(hs)
      } catch (err) {
        throw new CorruptStoreError(`log store ${this.disk.node}: the hard state does not decode`, { cause: err })
      }
    }
  }

  /** Detaches this incarnation from the disk: every later call rejects. */
  close (): void {
    this.closed = true
  }

  firstIndex (): number {
    return this.first
  }

  lastIndex (): number {
    return this.last
  }

  async getLogs (lo: number, hi: number): Promise<Entry[]> {
    this.check()
    if (hi <= lo) return []
    return this.disk.entries({ gte: entryKey(lo), lt: entryKey(hi) }).map(([key, value]) => readEntry(Number(key.slice(ENTRY_PREFIX.length)), value, this.disk.node))
  }

  async storeLogs (entries: readonly Entry[], options: WriteOptions = {}): Promise<void> {
    const head = entries[0]
    if (head === undefined) return
    this.check()
    checkAppend(entries, this.first, this.last)
    const ops: BatchOp[] = []
    for (let i = head.index; i <= this.last; i++) ops.push({ type: 'del', key: entryKey(i) })
    for (const e of entries) ops.push({ type: 'put', key: entryKey(e.index), value: entryValue(e) })
    await this.write(ops, options)
    if (this.last === 0) this.first = head.index
    this.last = head.index + entries.length - 1
  }

  async compactTo (index: number, options: WriteOptions = {}): Promise<void> {
    this.check()
    if (this.last === 0 || index < this.first) return
    const upTo = Math.min(index, this.last)
    const ops: BatchOp[] = []
    for (let i = this.first; i <= upTo; i++) ops.push({ type: 'del', key: entryKey(i) })
    await this.write(ops, options)
    if (this.last === 0 || upTo >= this.last) this.first = this.last = 0
    else this.first = Math.max(this.first, upTo + 1)
  }

  async clearLogs (options: WriteOptions = {}): Promise<void> {
    await this.compactTo(this.last, options)
  }

  async getHardState (): Promise<HardState> {
    this.check()
    const v = this.disk.get(HARD_STATE_KEY)
    return v === undefined ? { term: 0, vote: undefined, commit: 0 } : decodeHardState(v)
  }

  async setHardState (hardState: HardState, options: WriteOptions = {}): Promise<void> {
    this.check()
    await this.write([{ type: 'put', key: HARD_STATE_KEY, value: encodeHardState(hardState) }], options)
  }

  /**
   * Applies `ops` as one batch, visible at once as LevelDB's are. A synced
   * write then waits its fsync time and flushes the key-value log up to it
   * (an empty synced batch), so writes reach the disk in the order issued.
   */
  private async write (ops: readonly BatchOp[], options: WriteOptions): Promise<void> {
    const sync = options.sync ?? true
    const clock = this.clock
    const ms = sync && clock !== undefined && this.random !== undefined ? this.delay(this.random) : 0
    this.disk.batch(ops, { sync: sync && ms <= 0 })
    if (ms <= 0 || clock === undefined) return
    await new Promise<void>(resolve => { clock.setTimeout(resolve, ms) })
    this.check()
    this.disk.batch([], { sync: true })
  }

  private check (): void {
    if (this.closed) throw new Error(`log store ${this.disk.node} is closed`)
  }
}
