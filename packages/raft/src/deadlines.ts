import type { Clock, TimerHandle } from '@clusterfunk/core'

interface Pending { readonly at: number, readonly expire: () => void }

/**
 * Deadlines of many pending requests on one timer, armed at the earliest.
 * A request that settles before its deadline costs a set insert and delete,
 * not a timer of its own: proposals are made and settled thousands of times
 * a second, and a timer each (create, unref, clear) was a measurable part
 * of the leader's CPU. The timer fires exactly at the earliest deadline
 * still pending (a later fire finds nothing due and re-arms).
 */
export class Deadlines {
  private readonly clock: Clock
  private readonly pending = new Set<Pending>()
  private timer: TimerHandle | undefined
  private armedAt = Infinity

  constructor (clock: Clock) {
    this.clock = clock
  }

  /** Calls `expire` at clock time `at` unless the returned cancel runs first. */
  add (at: number, expire: () => void): () => void {
    const p: Pending = { at, expire }
    this.pending.add(p)
    if (at < this.armedAt) this.arm(at)
    return () => { this.pending.delete(p) }
  }

  /** Forgets every deadline and stops the timer (the requests are settled elsewhere). */
  clear (): void {
    this.pending.clear()
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.armedAt = Infinity
  }

  private arm (at: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.armedAt = at
    this.timer = this.clock.setTimeout(() => { this.fire() }, Math.max(0, at - this.clock.now()))
  }

  private fire (): void {
    this.timer = undefined
    this.armedAt = Infinity
    const now = this.clock.now()
    let next = Infinity
    const due: Pending[] = []
    for (const p of this.pending) {
      if (p.at <= now) due.push(p)
      else if (p.at < next) next = p.at
    }
    for (const p of due) this.pending.delete(p)
    if (next !== Infinity) this.arm(next)
    for (const p of due) p.expire()
  }
}
