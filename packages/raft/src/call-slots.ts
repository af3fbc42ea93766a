/** How many calls of one kind may be in flight: from one peer, and in all. */
export interface SlotLimits {
  readonly perPeer: number
  readonly total: number
}

/**
 * Counts calls in flight per peer and in all, so a peer (or a flood from
 * many claimed peers) cannot hold more than its share of the server's
 * memory and handlers. `take` gives a release function that is safe to call
 * more than once.
 */
export class CallSlots {
  private readonly byPeer = new Map<string, number>()
  private inFlight = 0

  constructor (private readonly limits: SlotLimits) {}

  get total (): number {
    return this.inFlight
  }

  /** A slot for a call from `peer`, or undefined when a limit is reached. */
  take (peer: string): (() => void) | undefined {
    const held = this.byPeer.get(peer) ?? 0
    if (held >= this.limits.perPeer || this.inFlight >= this.limits.total) return undefined
    this.byPeer.set(peer, held + 1)
    this.inFlight++
    let released = false
    return () => {
      if (released) return
      released = true
      this.inFlight--
      const left = (this.byPeer.get(peer) ?? 1) - 1
      if (left <= 0) this.byPeer.delete(peer)
      else this.byPeer.set(peer, left)
    }
  }
}
