/** A user event as a `Cluster` delivers it (`event:user`). */
export interface UserEvent {
  readonly name: string
  readonly payload: Uint8Array
  /** The event Lamport time it was fired at: a later event of the same cluster carries a larger one. */
  readonly ltime: number
  /** The node that fired it. */
  readonly origin: string
  readonly coalesce: boolean
}

/** Options of `Cluster.fire`. */
export interface FireOptions {
  /**
   * A later event of the same name may stand for this one: while both
   * spread only the later is gossiped, and a node delivers only the latest
   * of the ones that reach it within the coalescing window. Default false.
   */
  coalesce?: boolean
}

/**
 * Serf's event coalescing as a pure step function: events without
 * `coalesce` pass at once; those with it are held per name for `windowMs`
 * after the first of the name arrived, and only the latest (by Lamport
 * time, then origin) is delivered when the window closes. At most
 * `maxNames` names are held: an event beyond passes at once.
 */
export class EventCoalescer {
  private readonly held = new Map<string, { event: UserEvent, flushAt: number }>()

  constructor (private readonly windowMs: number, private readonly maxNames: number) {}

  /** What is to be delivered now that `event` arrived at `now`. */
  add (now: number, event: UserEvent): UserEvent[] {
    if (!event.coalesce || this.windowMs <= 0) return [event]
    const held = this.held.get(event.name)
    if (held === undefined) {
      if (this.held.size >= this.maxNames) return [event]
      this.held.set(event.name, { event, flushAt: now + this.windowMs })
      return []
    }
    if (later(event, held.event)) held.event = event
    return []
  }

  /** The held events whose window closed by `now`, in the order their windows opened. */
  due (now: number): UserEvent[] {
    const out: UserEvent[] = []
    for (const [name, h] of this.held) {
      if (h.flushAt > now) continue
      this.held.delete(name)
      out.push(h.event)
    }
    return out
  }

  /** When the next window closes (Infinity when nothing is held). */
  nextAt (): number {
    let next = Infinity
    for (const h of this.held.values()) next = Math.min(next, h.flushAt)
    return next
  }

  /** Names held. */
  get size (): number {
    return this.held.size
  }

  /** Every held event, at once (at stop). */
  flush (): UserEvent[] {
    const out = [...this.held.values()].map(h => h.event)
    this.held.clear()
    return out
  }
}

function later (a: UserEvent, b: UserEvent): boolean {
  return a.ltime > b.ltime || (a.ltime === b.ltime && a.origin > b.origin)
}
