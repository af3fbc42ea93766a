import { COORDINATION_DEFAULTS } from './constants.js'
import { CompactedError, CoordinationLimitError } from './errors.js'

/** One key of the shared state. */
export interface StateEntry {
  key: string
  value: Uint8Array
  /** The revision of the write that set this value. */
  revision: number
  /** The revision of the write that created the key (it may have been rewritten since). */
  createdRevision: number
  /** When the leader wrote it, by its wall clock (Unix ms). */
  writtenAtMs: number
}

/** One write to the shared state, as a watcher sees it. */
export interface StateEvent {
  type: 'put' | 'delete'
  key: string
  /** The new value (empty for a delete). */
  value: Uint8Array
  revision: number
  writtenAtMs: number
}

/** The outcome of a write: applied under `revision`, or refused because the key's revision was `actual`. */
export type WriteOutcome =
  | { ok: true, revision: number }
  | { ok: false, reason: 'mismatch', actual: number }
  | { ok: false, reason: 'limit', limit: string, message: string }

/** The store's limits (the defaults are what every node applies). */
export interface StateLimits {
  maxKeyBytes: number
  maxValueBytes: number
  maxTotalBytes: number
  maxKeys: number
  historyRevisions: number
}

/** What a Raft snapshot carries of the store. */
export interface StateSnapshot {
  revision: number
  entries: StateEntry[]
  history: StateEvent[]
}

const encoder = new TextEncoder()

/** Bytes a key takes, as the limits count it. */
export function keyBytes (key: string): number {
  return encoder.encode(key).byteLength
}

/**
 * Checks a key and value against the limits that do not depend on the
 * state: a caller learns at once, before anything is appended.
 * @throws CoordinationLimitError naming the limit
 */
export function checkWrite (key: string, value: Uint8Array | undefined, limits: StateLimits = COORDINATION_DEFAULTS): void {
  if (typeof key !== 'string' || key === '') throw new CoordinationLimitError('key', 'a key must be a non-empty string')
  const kb = keyBytes(key)
  if (kb > limits.maxKeyBytes) throw new CoordinationLimitError('key', `a key is at most ${limits.maxKeyBytes} bytes, got ${kb}`)
  if (value !== undefined && value.byteLength > limits.maxValueBytes) {
    throw new CoordinationLimitError('value', `a value is at most ${limits.maxValueBytes} bytes, got ${value.byteLength}`)
  }
}

/**
 * The shared state of a cluster: a key/value map every replica changes in
 * Raft log order, so every replica holds the same map at the same index.
 * Pure: no clock (the leader's write time comes in each entry), no I/O.
 * Every successful write takes the next revision (1, 2, ...); a
 * compare-and-set names the key's revision it expects (0: absent). The
 * last `historyRevisions` writes are kept for watchers to resume from.
 */
export class StateStore {
  private readonly limits: StateLimits
  private readonly entries = new Map<string, StateEntry>()
  private history: StateEvent[] = []
  private rev = 0
  private bytes = 0

  constructor (limits: StateLimits = COORDINATION_DEFAULTS) {
    this.limits = limits
  }

  /** The revision of the newest write (0 before any). */
  get revision (): number { return this.rev }

  /** Keys and values held, in bytes. */
  get totalBytes (): number { return this.bytes }

  /** Keys held. */
  get size (): number { return this.entries.size }

  get (key: string): StateEntry | undefined {
    return this.entries.get(key)
  }

  /** Every entry whose key starts with `prefix`, sorted by key. */
  list (prefix = ''): StateEntry[] {
    const out: StateEntry[] = []
    for (const entry of this.entries.values()) if (entry.key.startsWith(prefix)) out.push(entry)
    return out.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  }

  /** Sets `key`; with `expected`, only when the key is at that revision (0: absent). */
  put (key: string, value: Uint8Array, expected: number | undefined, writtenAtMs: number): WriteOutcome {
    try {
      checkWrite(key, value, this.limits)
    } catch (err) {
      const e = err as CoordinationLimitError
      return { ok: false, reason: 'limit', limit: e.limit, message: e.message }
    }
    const old = this.entries.get(key)
    if (expected !== undefined && expected !== (old?.revision ?? 0)) return { ok: false, reason: 'mismatch', actual: old?.revision ?? 0 }
    const kb = keyBytes(key)
    const after = this.bytes - (old === undefined ? 0 : kb + old.value.byteLength) + kb + value.byteLength
    if (after > this.limits.maxTotalBytes) {
      return { ok: false, reason: 'limit', limit: 'total', message: `the shared state holds at most ${this.limits.maxTotalBytes} bytes; this write would make it ${after}` }
    }
    if (old === undefined && this.entries.size >= this.limits.maxKeys) {
      return { ok: false, reason: 'limit', limit: 'keys', message: `the shared state holds at most ${this.limits.maxKeys} keys` }
    }
    const revision = ++this.rev
    const copy = Uint8Array.from(value)
    this.entries.set(key, { key, value: copy, revision, createdRevision: old?.createdRevision ?? revision, writtenAtMs })
    this.bytes = after
    this.record({ type: 'put', key, value: copy, revision, writtenAtMs })
    return { ok: true, revision }
  }

  /** Removes `key`; with `expected`, only when the key is at that revision. Deleting an absent key is a no-op write (it still takes a revision). */
  delete (key: string, expected: number | undefined, writtenAtMs: number): WriteOutcome {
    try {
      checkWrite(key, undefined, this.limits)
    } catch (err) {
      const e = err as CoordinationLimitError
      return { ok: false, reason: 'limit', limit: e.limit, message: e.message }
    }
    const old = this.entries.get(key)
    if (expected !== undefined && expected !== (old?.revision ?? 0)) return { ok: false, reason: 'mismatch', actual: old?.revision ?? 0 }
    const revision = ++this.rev
    if (old !== undefined) {
      this.entries.delete(key)
      this.bytes -= keyBytes(key) + old.value.byteLength
    }
    this.record({ type: 'delete', key, value: new Uint8Array(), revision, writtenAtMs })
    return { ok: true, revision }
  }

  /**
   * The writes from revision `from` on whose keys start with `prefix`, in
   * revision order.
   * @throws CompactedError when writes at or after `from` are no longer kept
   */
  since (from: number, prefix = ''): StateEvent[] {
    const start = Math.max(1, from)
    if (start <= this.rev) {
      const oldest = this.oldestKept()
      if (start < oldest) throw new CompactedError(from, oldest)
    }
    return this.history.filter(e => e.revision >= start && e.key.startsWith(prefix))
  }

  /** The oldest revision `since` can start from. */
  oldestKept (): number {
    return this.history[0]?.revision ?? this.rev + 1
  }

  snapshot (): StateSnapshot {
    return { revision: this.rev, entries: this.list(), history: [...this.history] }
  }

  /** Replaces the whole store with a snapshot's content. */
  restore (s: StateSnapshot): void {
    this.entries.clear()
    this.bytes = 0
    for (const e of s.entries) {
      this.entries.set(e.key, { ...e })
      this.bytes += keyBytes(e.key) + e.value.byteLength
    }
    this.rev = s.revision
    this.history = s.history.slice(-this.limits.historyRevisions)
  }

  private record (event: StateEvent): void {
    this.history.push(event)
    // Dropped in chunks, so a full history costs an amortised O(1) per write.
    if (this.history.length > this.limits.historyRevisions + 64) this.history = this.history.slice(-this.limits.historyRevisions)
  }
}
