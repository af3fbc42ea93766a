import type { Random } from '@clusterfunk/core'
import { applyOp, cloneState, describeOp, KV_STREAM, streamsOf, type BatchOp, type DiskOp, type DiskState } from './disk-ops.js'
import { DiskIoError } from './errors.js'
import { compareKeys, inRange, type KeyRange } from './key-range.js'
import type { Simulation } from './simulation.js'

export type { BatchOp } from './disk-ops.js'

/** What survives a crash: `all` loses every unsynced write; `prefix` keeps a random prefix of them, in write order. */
export type CrashMode = 'all' | 'prefix'

export interface WriteOptions {
  /** Make this write and every write before it durable (a WAL fsync). Default false. */
  sync?: boolean
}

export interface DiskStats {
  /** Writes applied (a batch counts once). */
  writes: number
  /** Sync points: `sync: true` writes, `fsync`, `syncAll`. */
  syncs: number
  /** Writes made to fail by `failNextWrites`. */
  failedWrites: number
  crashes: number
  /** Writes lost to crashes. */
  lostWrites: number
  /** Writes applied but not durable yet. */
  unsynced: number
}

/**
 * One node's disk, surviving the node's crashes. A key-value part mirrors
 * classic-level (ordered string keys, `Uint8Array` values, atomic batches)
 * and a file part holds whole files (snapshots: write a temp file, fsync,
 * rename).
 *
 * Every write is visible to reads at once but volatile until synced.
 * `sync: true` on a key-value write flushes the whole key-value log up to
 * and including it; `fsync(path)` flushes that file's writes, and a rename
 * flushed that way carries its source file's earlier writes with it (as
 * ext4 does for replace-by-rename). `syncAll()` flushes everything. Within
 * each log, durability follows write order. `crash()` then throws the
 * volatile writes away. Operations are synchronous; values are copied in
 * and out, so callers may reuse their buffers.
 */
export class SimDisk {
  private durable: DiskState = { kv: new Map(), files: new Map() }
  private visible: DiskState = { kv: new Map(), files: new Map() }
  private pending: DiskOp[] = []
  private failing = 0
  private readonly random: Random
  private readonly counters = { writes: 0, syncs: 0, failedWrites: 0, crashes: 0, lostWrites: 0 }

  constructor (private readonly sim: Simulation, readonly node: string) {
    this.random = sim.fork(`disk:${node}`)
  }

  // ----- key-value part -----

  /** The value of `key` (a copy), or undefined. */
  get (key: string): Uint8Array | undefined {
    return this.visible.kv.get(key)?.slice()
  }

  put (key: string, value: Uint8Array, options: WriteOptions = {}): void {
    this.batch([{ type: 'put', key, value }], options)
  }

  del (key: string, options: WriteOptions = {}): void {
    this.batch([{ type: 'del', key }], options)
  }

  /** Applies `ops` in order, atomically: after a crash all of them survive or none. */
  batch (ops: readonly BatchOp[], options: WriteOptions = {}): void {
    const copied: BatchOp[] = ops.map(op => op.type === 'put' ? { type: 'put', key: op.key, value: op.value.slice() } : { type: 'del', key: op.key })
    this.write({ kind: 'batch', ops: copied })
    if (options.sync === true) this.flush([KV_STREAM], 'sync kv')
  }

  /** Entries within `range`, in key order (copies), like a classic-level iterator read to its end. */
  entries (range: KeyRange = {}): Array<[string, Uint8Array]> {
    const keys = [...this.visible.kv.keys()].filter(k => inRange(k, range)).sort(compareKeys)
    if (range.reverse === true) keys.reverse()
    const limited = range.limit !== undefined && range.limit >= 0 ? keys.slice(0, range.limit) : keys
    return limited.map(k => [k, (this.visible.kv.get(k) as Uint8Array).slice()])
  }

  /** Keys within `range`, in key order. */
  keys (range: KeyRange = {}): string[] {
    return this.entries(range).map(([k]) => k)
  }

  // ----- file part -----

  /** Replaces the contents of `path`, creating it if needed. */
  writeFile (path: string, data: Uint8Array): void {
    this.write({ kind: 'write', path, data: data.slice() })
  }

  appendFile (path: string, data: Uint8Array): void {
    this.write({ kind: 'append', path, data: data.slice() })
  }

  /** The contents of `path` (a copy). Throws `DiskIoError('ENOENT')` if it does not exist. */
  readFile (path: string): Uint8Array {
    const data = this.visible.files.get(path)
    if (data === undefined) throw new DiskIoError('ENOENT', `${this.node}: no such file ${path}`)
    return data.slice()
  }

  exists (path: string): boolean {
    return this.visible.files.has(path)
  }

  /** Moves `from` to `to` in one step, replacing `to`: readers see the old file or the new, never a mix. Throws `ENOENT` if `from` is missing. */
  rename (from: string, to: string): void {
    if (!this.visible.files.has(from)) throw new DiskIoError('ENOENT', `${this.node}: cannot rename missing ${from}`)
    this.write({ kind: 'rename', from, to })
  }

  /** Removes `path`; a no-op when it does not exist. */
  unlink (path: string): void {
    if (!this.visible.files.has(path)) return
    this.write({ kind: 'unlink', path })
  }

  /** Paths starting with `prefix`, sorted. */
  list (prefix = ''): string[] {
    return [...this.visible.files.keys()].filter(p => p.startsWith(prefix)).sort(compareKeys)
  }

  /** Makes every write to `path` so far durable, including renames onto it. */
  fsync (path: string): void {
    this.flush([`file:${path}`], `fsync ${path}`)
  }

  /** Makes every write so far durable (syncfs). */
  syncAll (): void {
    this.counters.syncs++
    this.sim.trace.record(this.node, `disk syncAll ${this.pending.length}`)
    for (const op of this.pending) applyOp(this.durable, op)
    this.pending = []
  }

  // ----- faults -----

  /**
   * Loses what was not synced. In `prefix` mode a uniformly drawn number of
   * the oldest unsynced writes survive, as when a log was partly flushed.
   * Returns how many unsynced writes were kept and lost.
   */
  crash (mode: CrashMode = 'all'): { kept: number, lost: number } {
    const kept = mode === 'prefix' ? this.random.int(0, this.pending.length) : 0
    for (const op of this.pending.slice(0, kept)) applyOp(this.durable, op)
    const lost = this.pending.length - kept
    this.pending = []
    this.visible = cloneState(this.durable)
    this.counters.crashes++
    this.counters.lostWrites += lost
    this.sim.trace.record(this.node, `disk crash ${mode} kept=${kept} lost=${lost}`)
    return { kept, lost }
  }

  /** Makes the next `count` writes throw `DiskIoError('EIO')` without applying anything. */
  failNextWrites (count: number): void {
    this.failing = Math.max(0, Math.floor(count))
  }

  get stats (): DiskStats {
    return { ...this.counters, unsynced: this.pending.length }
  }

  private write (op: DiskOp): void {
    if (this.failing > 0) {
      this.failing--
      this.counters.failedWrites++
      this.sim.trace.record(this.node, `disk EIO ${describeOp(op)}`)
      throw new DiskIoError('EIO', `${this.node}: injected write failure (${op.kind})`)
    }
    applyOp(this.visible, op)
    this.pending.push(op)
    this.counters.writes++
    this.sim.trace.record(this.node, `disk ${describeOp(op)}`)
  }

  /**
   * Flushes the writes of `streams`, plus, for every rename flushed, the
   * earlier writes of its other path, so each log becomes durable in order.
   * Scanning backwards lets a rename pull its source's earlier writes in.
   */
  private flush (streams: string[], what: string): void {
    this.counters.syncs++
    const wanted = new Set(streams)
    const selected = new Array<boolean>(this.pending.length).fill(false)
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const touched = streamsOf(this.pending[i] as DiskOp)
      if (!touched.some(s => wanted.has(s))) continue
      selected[i] = true
      for (const s of touched) wanted.add(s)
    }
    const rest: DiskOp[] = []
    this.pending.forEach((op, i) => {
      if (selected[i] === true) applyOp(this.durable, op)
      else rest.push(op)
    })
    this.sim.trace.record(this.node, `disk ${what} ${this.pending.length - rest.length}`)
    this.pending = rest
  }
}
