/** What `RecentMessages.admit` decided about one message. */
export type Admission = 'new' | 'duplicate' | 'stale'

/**
 * The recent user events (or queries) a member has seen, for
 * de-duplication: at most `capacity` entries, keyed by origin and a number
 * unique per origin (the Lamport time of an event, the id of a query). A
 * message whose Lamport time is `capacity` or more below the newest one
 * seen is stale: it may have been forgotten, so it is dropped rather than
 * delivered twice (Serf's recent-events window).
 */
export class RecentMessages<T = undefined> {
  private readonly seen = new Map<string, { ltime: number, value: T | undefined }>()
  private newest = 0

  constructor (readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer')
  }

  /** Entries remembered. */
  get size (): number {
    return this.seen.size
  }

  /** The values remembered with their entries, oldest first. */
  values (): T[] {
    const out: T[] = []
    for (const e of this.seen.values()) if (e.value !== undefined) out.push(e.value)
    return out
  }

  /** Records (`origin`, `key`) at Lamport time `ltime` (with `value`) unless seen or stale. */
  admit (origin: string, key: number, ltime: number, value?: T): Admission {
    if (ltime + this.capacity <= this.newest) return 'stale'
    const id = `${origin}\u0000${key}`
    if (this.seen.has(id)) return 'duplicate'
    this.seen.set(id, { ltime, value })
    if (ltime > this.newest) this.newest = ltime
    while (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value as string
      this.seen.delete(oldest)
    }
    return 'new'
  }
}
