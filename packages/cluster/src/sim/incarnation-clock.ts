import type { Clock, TimerHandle } from '@clusterfunk/core'

/** A node's clock on a simulation: `@clusterfunk/sim`'s `NodeClock` fits. */
export interface CancellableClock extends Clock {
  /** Cancels every timer of this clock still pending. */
  cancelAll: () => void
}

/** The handle `setTimeout` returns once the clock is dead: nothing to cancel. */
const DEAD_TIMER: TimerHandle = Object.freeze({})

/**
 * The clock of one incarnation of a simulated node. `kill()` is the
 * process dying: every pending timer goes, and timers set afterwards — by a
 * promise of the dead incarnation settling late — never run, so nothing a
 * dead node left behind acts in the simulation again.
 */
export class IncarnationClock implements Clock {
  private dead = false

  constructor (private readonly inner: CancellableClock) {}

  /** False once `kill()` was called. */
  get alive (): boolean {
    return !this.dead
  }

  now (): number {
    return this.inner.now()
  }

  wallNow (): number {
    return this.inner.wallNow()
  }

  setTimeout (callback: () => void, ms: number): TimerHandle {
    if (this.dead) return DEAD_TIMER
    return this.inner.setTimeout(() => { if (!this.dead) callback() }, ms)
  }

  defer (callback: () => void): TimerHandle {
    return this.setTimeout(callback, 0)
  }

  clearTimeout (handle: TimerHandle): void {
    if (handle !== DEAD_TIMER) this.inner.clearTimeout(handle)
  }

  /** Cancels every timer, now and for good. */
  kill (): void {
    this.dead = true
    this.inner.cancelAll()
  }
}
