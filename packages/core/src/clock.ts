/**
 * Time is injected. Protocol cores never read a clock themselves: their
 * drivers pass `now` in. Drivers take a `Clock` so the same driver runs on
 * real time in production and on virtual time in tests and simulation.
 */

/** An opaque handle for a scheduled callback. */
export interface TimerHandle {
  /** Lets the process exit while this timer is pending (real clocks only). */
  unref?: () => void
}

export interface Clock {
  /**
   * Monotonic milliseconds (fractional). Never goes backwards; its origin is
   * arbitrary, so only differences mean anything.
   */
  now: () => number
  /** Milliseconds since the Unix epoch, for timestamps shown to people. */
  wallNow: () => number
  /** Runs `callback` once, no earlier than `ms` from now. */
  setTimeout: (callback: () => void, ms: number) => TimerHandle
  /**
   * Runs `callback` soon: after the I/O that is already waiting has been
   * handled, before any timer of a later turn. `setImmediate` on real time,
   * a 0 ms event in simulation. Cancel it with `clearTimeout`.
   */
  defer: (callback: () => void) => TimerHandle
  /** Cancels a callback; cancelling one that already ran is a no-op. */
  clearTimeout: (handle: TimerHandle) => void
}

/** What `SystemClock.defer` returns: an immediate, told apart from a timeout when cancelled. */
class DeferredHandle implements TimerHandle {
  constructor (readonly immediate: NodeJS.Immediate) {}

  unref (): void {
    this.immediate.unref()
  }
}

/**
 * The real clock. Timers are `unref()`'d: a library's timers never keep a
 * process alive on their own; whoever owns the process decides when it ends.
 */
export class SystemClock implements Clock {
  now (): number {
    return performance.now()
  }

  wallNow (): number {
    return Date.now()
  }

  setTimeout (callback: () => void, ms: number): TimerHandle {
    const timer = setTimeout(callback, Math.max(0, ms))
    timer.unref()
    return timer
  }

  // The immediate stays ref'd: an unref'd one does not stop the poll phase from blocking, so it would
  // run only after unrelated I/O or a timer woke the loop. It lives for one loop turn, so it cannot keep
  // a process alive on its own.
  defer (callback: () => void): TimerHandle {
    return new DeferredHandle(setImmediate(callback))
  }

  clearTimeout (handle: TimerHandle): void {
    if (handle instanceof DeferredHandle) clearImmediate(handle.immediate)
    else clearTimeout(handle as ReturnType<typeof setTimeout>)
  }
}

/** The process-wide real clock. */
export const systemClock: Clock = new SystemClock()

interface ManualTimer extends TimerHandle {
  at: number
  seq: number
  callback: () => void
  cancelled: boolean
}

/**
 * A clock that moves only when told to. `advance(ms)` runs every timer that
 * falls due, in order of due time and then of scheduling, with `now()`
 * reading each timer's due time while its callback runs.
 */
export class ManualClock implements Clock {
  private current: number
  private readonly wallOrigin: number
  private seq = 0
  private timers: ManualTimer[] = []

  constructor (start = 0, wallOrigin = 1_700_000_000_000) {
    this.current = start
    this.wallOrigin = wallOrigin
  }

  now (): number {
    return this.current
  }

  wallNow (): number {
    return this.wallOrigin + this.current
  }

  setTimeout (callback: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { at: this.current + Math.max(0, ms), seq: this.seq++, callback, cancelled: false }
    this.timers.push(timer)
    return timer
  }

  defer (callback: () => void): TimerHandle {
    return this.setTimeout(callback, 0)
  }

  clearTimeout (handle: TimerHandle): void {
    (handle as ManualTimer).cancelled = true
  }

  /** Number of timers still waiting to run. */
  get pending (): number {
    return this.timers.filter(t => !t.cancelled).length
  }

  /** Moves time forward by `ms`, running every timer that falls due. */
  advance (ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot move a clock backwards (advance(${ms}))`)
    const until = this.current + ms
    for (;;) {
      const next = this.nextDue(until)
      if (next === undefined) break
      this.current = next.at
      next.cancelled = true
      next.callback()
    }
    this.current = until
    this.timers = this.timers.filter(t => !t.cancelled)
  }

  /**
   * A stall: time moves forward by `ms` while nothing runs (a paused or
   * descheduled process), then every timer that fell due runs — late, each
   * reading the time the stall ended, as a real process's timers do.
   */
  stall (ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot stall for ${ms} ms`)
    this.current += ms
    for (;;) {
      const next = this.nextDue(this.current)
      if (next === undefined) break
      next.cancelled = true
      next.callback()
    }
    this.timers = this.timers.filter(t => !t.cancelled)
  }

  private nextDue (until: number): ManualTimer | undefined {
    let best: ManualTimer | undefined
    for (const t of this.timers) {
      if (t.cancelled || t.at > until) continue
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t
    }
    return best
  }
}
