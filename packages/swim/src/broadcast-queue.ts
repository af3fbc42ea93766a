/** One queued broadcast, as the queue reports it. */
export interface QueuedBroadcast<T> {
  /** What the broadcast is about (a member id); a newer one with the same key replaces it. */
  readonly key: string
  readonly message: T
  /** Bytes the message takes on the wire. */
  readonly size: number
  /** Times it has been handed out so far. */
  readonly transmits: number
}

interface Entry<T> {
  key: string
  message: T
  size: number
  transmits: number
  /** Insertion order: among equal transmit counts, newer goes first. */
  order: number
  /** This broadcast is sent `scale` times the queue's limit. */
  scale: number
  onDone: (() => void) | undefined
}

/** Bytes a message of `size` takes in a packet, including its framing. */
export type PackedSize = (size: number) => number

/**
 * The transmit-limited broadcast queue: membership news waiting to be
 * piggybacked on outgoing packets and gossip. Each broadcast is sent at most
 * `limit` times (the retransmit limit for the current cluster size), those
 * sent least often go first, and a newer broadcast about the same member
 * replaces the older one, so the queue holds at most one entry per member.
 */
export class BroadcastQueue<T> {
  private readonly entries = new Map<string, Entry<T>>()
  private counter = 0

  /** Broadcasts waiting. */
  get length (): number {
    return this.entries.size
  }

  /**
   * Queues `message` about `key`, replacing any older broadcast about the same
   * key (whose `onDone` then runs). `onDone` runs when this broadcast has been
   * sent `limit` times or is replaced.
   */
  enqueue (key: string, message: T, size: number, onDone?: () => void, scale = 1): void {
    const old = this.entries.get(key)
    if (old !== undefined) {
      this.entries.delete(key)
      old.onDone?.()
    }
    this.entries.set(key, { key, message, size, transmits: 0, order: this.counter++, onDone, scale })
  }

  /** The queued broadcast about `key`, if any. */
  get (key: string): QueuedBroadcast<T> | undefined {
    const e = this.entries.get(key)
    return e === undefined ? undefined : { key: e.key, message: e.message, size: e.size, transmits: e.transmits }
  }

  /** Every queued broadcast in the order they would be handed out. */
  list (): Array<QueuedBroadcast<T>> {
    return this.sorted().map(e => ({ key: e.key, message: e.message, size: e.size, transmits: e.transmits }))
  }

  /**
   * Hands out broadcasts that fit in `bytesAvailable` (each costing
   * `packed(size)`), fewest transmits first, counting one transmit each.
   * Those that reach `limit` transmits leave the queue, and so do those
   * already sent `limit` times when the limit shrank (the cluster did).
   */
  take (limit: number, bytesAvailable: number, packed: PackedSize): T[] {
    this.prune(limit)
    const out: T[] = []
    let left = bytesAvailable
    for (const e of this.sorted()) {
      const cost = packed(e.size)
      if (cost > left) continue
      left -= cost
      out.push(e.message)
      this.count(e, limit)
    }
    return out
  }

  /**
   * Hands out the broadcasts too large to fit in any packet of
   * `bytesAvailable` (the driver sends them over TCP), counting one transmit each.
   */
  takeOversize (limit: number, bytesAvailable: number, packed: PackedSize): T[] {
    this.prune(limit)
    const out: T[] = []
    for (const e of this.sorted()) {
      if (packed(e.size) <= bytesAvailable) continue
      out.push(e.message)
      this.count(e, limit)
    }
    return out
  }

  /** Drops every broadcast, running their `onDone`. */
  clear (): void {
    const all = [...this.entries.values()]
    this.entries.clear()
    for (const e of all) e.onDone?.()
  }

  private prune (limit: number): void {
    for (const e of [...this.entries.values()]) {
      if (e.transmits < limit * e.scale) continue
      this.entries.delete(e.key)
      e.onDone?.()
    }
  }

  private count (e: Entry<T>, limit: number): void {
    e.transmits++
    if (e.transmits >= limit * e.scale) {
      this.entries.delete(e.key)
      e.onDone?.()
    }
  }

  private sorted (): Array<Entry<T>> {
    return [...this.entries.values()].sort((a, b) => a.transmits - b.transmits || b.order - a.order)
  }
}
