import type { Clock, TimerHandle } from '@clusterfunk/core'

/** The handle `setTimeout` returns once the host crashed: nothing to cancel. */
const DEAD_TIMER: TimerHandle = Object.freeze({})

/** Where a `HostClock` sends its callbacks: `SimHost.input`, which holds them while the host is paused. */
export type InputGate = (callback: () => void) => void

/**
 * The clock a simulated host's drivers run on: the node's clock, with every
 * callback passed through the host's gate (held while the host is paused,
 * dropped once it crashed). After `kill()` no timer runs again, and timers
 * set later — by a promise of the dead host settling late — never run.
 */
export class HostClock implements Clock {
  private dead = false
  private readonly timers = new Set<TimerHandle>()

  constructor (private readonly inner: Clock, private readonly gate: InputGate) {}

  now (): number {
    return this.inner.now()
  }

  wallNow (): number {
    return this.inner.wallNow()
  }

  setTimeout (callback: () => void, ms: number): TimerHandle {
    if (this.dead) return DEAD_TIMER
    const handle = this.inner.setTimeout(() => {
      this.timers.delete(handle)
      this.gate(callback)
    }, ms)
    this.timers.add(handle)
    return handle
  }

  /** A 0 ms timer: it runs after everything already due at this instant. */
  defer (callback: () => void): TimerHandle {
    return this.setTimeout(callback, 0)
  }

  clearTimeout (handle: TimerHandle): void {
    if (handle === DEAD_TIMER) return
    this.timers.delete(handle)
    this.inner.clearTimeout(handle)
  }

  /** Cancels every timer, now and for good. */
  kill (): void {
    this.dead = true
    for (const handle of this.timers) this.inner.clearTimeout(handle)
    this.timers.clear()
  }
}
