import type { Clock, TimerHandle } from './clock.js'

/**
 * How much this process was kept from running lately: the largest lateness
 * of its own timers over a recent window. A process that was descheduled
 * (a busy host), paused (SIGSTOP) or blocked (a long synchronous task) sees
 * its timers fire late by about as long, so the lateness is the stall.
 *
 * Every timing decision that accuses another node (an election timeout, a
 * lease, an ack timeout, a liveness verdict) takes this as an input: a
 * process that knows it was starved widens its own timeouts and stops
 * accusing others, as Lifeguard's local health multiplier does for SWIM.
 */
export interface LocalHealth {
  /** The largest stall (ms) seen within the window, 0 when the process kept to time. */
  recentDelayMs: () => number
}

/** A process that is never late: for tests and cores driven without a monitor. */
export const punctualHealth: LocalHealth = { recentDelayMs: () => 0 }

/** Options of a `LocalHealthMonitor`. */
export interface LocalHealthInit {
  /** How often the monitor's probe timer is set (ms). Default 20. */
  probeIntervalMs?: number
  /** How long a stall is remembered (ms). Default 10 000. */
  windowMs?: number
  /** Lateness below this is noise (timer granularity, GC), reported as 0 (ms). Default 15. */
  floorMs?: number
}

export const DEFAULT_HEALTH_PROBE_INTERVAL_MS = 20
export const DEFAULT_HEALTH_WINDOW_MS = 10_000
export const DEFAULT_HEALTH_FLOOR_MS = 15

/**
 * Measures local health on a `Clock`: a probe timer every `probeIntervalMs`
 * records how late it fired; `recentDelayMs()` is the largest lateness in
 * the last `windowMs`. On real time that is the event loop's scheduling
 * delay; in simulation a paused node's timers fire late in virtual time, so
 * the same monitor sees injected stalls and a seed replays them. Its timer
 * is `unref()`'d: it never keeps a process alive.
 */
export class LocalHealthMonitor implements LocalHealth {
  private readonly probeIntervalMs: number
  private readonly windowMs: number
  private readonly floorMs: number
  /** Stalls above the floor, oldest first: when each was seen and how long it was. */
  private stalls: Array<{ at: number, ms: number }> = []
  private timer: TimerHandle | undefined
  private due = 0

  constructor (private readonly clock: Clock, init: LocalHealthInit = {}) {
    this.probeIntervalMs = init.probeIntervalMs ?? DEFAULT_HEALTH_PROBE_INTERVAL_MS
    this.windowMs = init.windowMs ?? DEFAULT_HEALTH_WINDOW_MS
    this.floorMs = init.floorMs ?? DEFAULT_HEALTH_FLOOR_MS
    for (const [name, v] of [['probeIntervalMs', this.probeIntervalMs], ['windowMs', this.windowMs], ['floorMs', this.floorMs]] as const) {
      if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`LocalHealthMonitor: ${name} must be a positive number of ms, not ${v}`)
    }
  }

  /** Starts probing; idempotent. */
  start (): void {
    if (this.timer !== undefined) return
    this.arm()
  }

  /** Stops probing and forgets what it saw; idempotent. */
  stop (): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.stalls = []
  }

  recentDelayMs (): number {
    this.expire(this.clock.now())
    let max = 0
    for (const s of this.stalls) if (s.ms > max) max = s.ms
    return max
  }

  private arm (): void {
    this.due = this.clock.now() + this.probeIntervalMs
    this.timer = this.clock.setTimeout(() => { this.probe() }, this.probeIntervalMs)
    this.timer.unref?.()
  }

  private probe (): void {
    const now = this.clock.now()
    const late = now - this.due
    if (late >= this.floorMs) this.stalls.push({ at: now, ms: late })
    this.expire(now)
    this.arm()
  }

  private expire (now: number): void {
    let drop = 0
    while (drop < this.stalls.length && (this.stalls[drop] as { at: number }).at < now - this.windowMs) drop++
    if (drop > 0) this.stalls = this.stalls.slice(drop)
  }
}

/**
 * A timeout widened by local health: `baseMs` plus the recent stall, at most
 * `maxMultiplier` × `baseMs`. A process that was stalled for d ms cannot
 * tell a peer's silence of `baseMs` from its own d ms of not listening, so
 * it waits that much longer before accusing anyone.
 */
export function widenedTimeout (baseMs: number, recentDelayMs: number, maxMultiplier = 8): number {
  return Math.min(baseMs * maxMultiplier, baseMs + Math.max(0, recentDelayMs))
}
