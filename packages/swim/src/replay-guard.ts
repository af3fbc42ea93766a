import type { Freshness } from './freshness.js'

/** Why a sealed message was not fresh. */
export type StaleReason =
  | 'replay' // already seen, older than the window, or from an earlier life of its sender
  | 'stale' // its send time lies outside the time window
  | 'misdirected' // sealed for another recipient

/** Limits of a `ReplayGuard`; defaults in `constants.ts`. */
export interface ReplayGuardOptions {
  /** Sequence numbers tracked per sender below the highest seen (IPsec keeps 64; gossip fans out, so more). */
  windowSize: number
  /** Largest difference between a message's send time and the receiver's wall clock, either way (ms). */
  maxAgeMs: number
  /** Senders that are not members (yet) whose windows are kept; the oldest is forgotten first. */
  maxStrangers: number
}

interface Window {
  epoch: number
  /** Highest seq accepted in this epoch. */
  top: number
  /** Bit i set: `top − i` was accepted. */
  seen: Uint8Array
}

/**
 * Per-sender anti-replay windows, IPsec style, plus a time window. A pure
 * state machine: the caller passes its wall clock and says which senders are
 * members. Windows of members live until `forget` (the driver calls it when
 * a member is reaped); windows of other senders are capped at
 * `maxStrangers`, oldest dropped first, so state is bounded by the
 * membership plus that cap. A sender whose window was dropped is still held
 * to the time window.
 */
export class ReplayGuard {
  private readonly members = new Map<string, Window>()
  private readonly strangers = new Map<string, Window>()

  constructor (private readonly options: ReplayGuardOptions) {}

  /** Windows held: members, and other senders. */
  get size (): { members: number, strangers: number } {
    return { members: this.members.size, strangers: this.strangers.size }
  }

  /**
   * Checks `f` and, when it is fresh, records it. `isMember` says whether the
   * sender is in the membership (its window is then kept until `forget`).
   */
  accept (f: Freshness, wallNow: number, isMember: boolean): StaleReason | undefined {
    if (Math.abs(wallNow - f.sentAt) > this.options.maxAgeMs) return 'stale'
    let w = this.members.get(f.sender)
    if (w === undefined) {
      w = this.strangers.get(f.sender)
      // A sender that became a member since: its window is kept from now on.
      if (w !== undefined && isMember) this.place(f.sender, w, true)
    }
    if (w === undefined || f.epoch > w.epoch) {
      // First message of a sender, or of a new life of it: a fresh window.
      w = { epoch: f.epoch, top: f.seq, seen: new Uint8Array(Math.ceil(this.options.windowSize / 8)) }
      w.seen[0] = 1
      this.place(f.sender, w, isMember)
      return undefined
    }
    if (f.epoch < w.epoch) return 'replay'
    const size = this.options.windowSize
    if (f.seq > w.top) {
      shift(w.seen, Math.min(f.seq - w.top, size))
      w.top = f.seq
      w.seen[0] = (w.seen[0] as number) | 1
    } else {
      const back = w.top - f.seq
      if (back >= size) return 'replay'
      const byte = back >> 3
      const bit = 1 << (back & 7)
      if (((w.seen[byte] as number) & bit) !== 0) return 'replay'
      w.seen[byte] = (w.seen[byte] as number) | bit
    }
    return undefined
  }

  /** Drops the window of `sender` (a member that was reaped). */
  forget (sender: string): void {
    this.members.delete(sender)
    this.strangers.delete(sender)
  }

  private place (sender: string, w: Window, isMember: boolean): void {
    this.members.delete(sender)
    this.strangers.delete(sender)
    if (isMember) {
      this.members.set(sender, w)
      return
    }
    if (this.strangers.size >= this.options.maxStrangers) {
      const oldest = this.strangers.keys().next().value
      if (oldest !== undefined) this.strangers.delete(oldest)
    }
    this.strangers.set(sender, w)
  }
}

/** Shifts a little-endian bitmap up by `n` bits (bit i moves to i + n), dropping what falls off the end. */
function shift (bits: Uint8Array, n: number): void {
  const bytes = n >> 3
  const rem = n & 7
  for (let i = bits.length - 1; i >= 0; i--) {
    const src = i - bytes
    const hi = src >= 0 ? (bits[src] as number) << rem : 0
    const lo = rem > 0 && src - 1 >= 0 ? (bits[src - 1] as number) >> (8 - rem) : 0
    bits[i] = (hi | lo) & 0xff
  }
}
