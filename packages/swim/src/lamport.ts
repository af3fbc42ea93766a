import { CounterExhaustedError, counterRange, inRange, type CounterRange } from '@clusterfunk/core'

/** Lamport times of user events and queries: uint32 on the wire, the top value kept free so a witness + 1 still fits. */
export const USER_LTIMES: CounterRange = counterRange('user Lamport time', 0xffff_fffe, 0xffff_fffe)

/**
 * A Lamport clock (Serf's LamportClock): `increment` stamps a local event,
 * `witness` moves the clock past a time seen from another member, so an
 * event fired after one was received carries a larger time on every node.
 */
export class LamportClock {
  private current = 0

  /** The last time handed out or witnessed. */
  get time (): number {
    return this.current
  }

  /** The next time for a local event. @throws CounterExhaustedError at the end of the range */
  increment (): number {
    if (this.current >= USER_LTIMES.max) throw new CounterExhaustedError(USER_LTIMES.kind, this.current)
    this.current++
    return this.current
  }

  /** Moves the clock to `time` when that is later; times outside the range are ignored (false). */
  witness (time: number): boolean {
    if (!inRange(USER_LTIMES, time)) return false
    if (time > this.current) this.current = time
    return true
  }
}
