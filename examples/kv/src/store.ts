/** Bounds of a store: what a node holds at most. */
export interface StoreLimits {
  /** Entries held at most, over every shard. */
  maxEntries: number
  /** Bytes of keys and values (UTF-8) held at most, over every shard. */
  maxBytes: number
}

/** A write that would take the store past one of its bounds; nothing was changed. */
export class StoreFullError extends Error {
  static readonly code = 'ERR_STORE_FULL'
  readonly code = StoreFullError.code
  constructor (readonly limit: 'entries' | 'bytes', message: string) {
    super(message)
    this.name = 'StoreFullError'
  }
}

const entryBytes = (key: string, value: string): number => Buffer.byteLength(key) + Buffer.byteLength(value)

/**
 * Which of two writes of one key is newer: the map version its primary
 * accepted it under, then the primary's sequence number within that map.
 * One primary a shard a map, and every later map's primary writes with a
 * higher version, so the newest acknowledged write always wins a merge.
 */
export interface Stamp {
  readonly map: number
  readonly seq: number
}

/** One entry as replicas and fills carry it. */
export interface StampedEntry {
  readonly key: string
  readonly value: string
  readonly stamp: Stamp
}

/** Whether `a` is newer than `b` (undefined: never written). */
export function newer (a: Stamp, b: Stamp | undefined): boolean {
  return b === undefined || a.map > b.map || (a.map === b.map && a.seq > b.seq)
}

/**
 * The cache a node holds: values grouped by shard, so that when a commit
 * takes shards away their entries go at once. A shard that comes back later
 * then starts empty instead of serving values written elsewhere meanwhile.
 * Bounded in entries and bytes: a write past a bound is refused whole
 * (a cache that evicted silently would hide a client filling it).
 */
export class ShardedStore {
  private readonly shards = new Map<number, Map<string, string>>()
  /** The stamp of each entry written with one (replicated stores). */
  private readonly stamps = new Map<number, Map<string, Stamp>>()
  private entries = 0
  private heldBytes = 0

  constructor (readonly limits: StoreLimits = { maxEntries: 100_000, maxBytes: 256 * 1024 * 1024 }) {}

  get (shard: number, key: string): string | undefined {
    return this.shards.get(shard)?.get(key)
  }

  /**
   * Writes `value` under `stamp` unless the entry already holds a write at
   * least as new; returns whether it wrote.
   * @throws StoreFullError when the write would pass `maxEntries` or `maxBytes`
   */
  setStamped (shard: number, key: string, value: string, stamp: Stamp): boolean {
    if (!newer(stamp, this.stamps.get(shard)?.get(key))) return false
    this.set(shard, key, value)
    let stamps = this.stamps.get(shard)
    if (stamps === undefined) this.stamps.set(shard, stamps = new Map())
    stamps.set(key, stamp)
    return true
  }

  /** Every stamped entry of `shard`: what a node filling the shard copies. */
  exportShard (shard: number): StampedEntry[] {
    const out: StampedEntry[] = []
    for (const [key, stamp] of this.stamps.get(shard) ?? []) out.push({ key, value: this.shards.get(shard)?.get(key) as string, stamp })
    return out
  }

  /** The stamp of `key`'s entry, if it was written with one. */
  stampOf (shard: number, key: string): Stamp | undefined {
    return this.stamps.get(shard)?.get(key)
  }

  /** @throws StoreFullError when the write would pass `maxEntries` or `maxBytes` */
  set (shard: number, key: string, value: string): void {
    const entries = this.shards.get(shard)
    const old = entries?.get(key)
    const addEntries = old === undefined ? 1 : 0
    const bytes = this.heldBytes + entryBytes(key, value) - (old === undefined ? 0 : entryBytes(key, old))
    if (this.entries + addEntries > this.limits.maxEntries) {
      throw new StoreFullError('entries', `the store is full: it holds ${this.entries} entries, at most ${this.limits.maxEntries}`)
    }
    if (bytes > this.limits.maxBytes) {
      throw new StoreFullError('bytes', `the store is full: this write would hold ${bytes} bytes, at most ${this.limits.maxBytes}`)
    }
    if (entries === undefined) this.shards.set(shard, new Map([[key, value]]))
    else entries.set(key, value)
    this.entries += addEntries
    this.heldBytes = bytes
  }

  /** Forgets every entry of `shards` (this node no longer owns them). */
  drop (shards: Iterable<number>): void {
    for (const s of shards) {
      const entries = this.shards.get(s)
      if (entries === undefined) continue
      for (const [key, value] of entries) this.heldBytes -= entryBytes(key, value)
      this.entries -= entries.size
      this.shards.delete(s)
      this.stamps.delete(s)
    }
  }

  /** Entries held, over every shard. */
  get size (): number {
    return this.entries
  }

  /** Bytes of keys and values held. */
  get bytes (): number {
    return this.heldBytes
  }
}
