import { createHash } from 'node:crypto'
import { InvalidConfigError, SeededRandom, type Clock, type Random, type TimerHandle } from '@clusterfunk/core'
import { DEFAULT_MAX_EVENTS_PER_RUN, DEFAULT_START_MS, DEFAULT_WALL_ORIGIN_MS } from './constants.js'
import { SimulationLimitError } from './errors.js'
import { EventQueue, type QueuedEvent } from './event-queue.js'
import { NodeClock } from './node-clock.js'
import { Trace, type TraceInit } from './trace.js'

export interface SimulationInit {
  /** Seed of every random choice the simulation and its faults make. Default 1. */
  seed?: number
  /** Virtual time at start, in ms. Default 0. */
  startMs?: number
  /** `wallNow()` at virtual time 0. Default a fixed instant (2023-11-14). */
  wallOriginMs?: number
  /** Trace options; `{ enabled: false }` records nothing. */
  trace?: TraceInit
  /** Events one `step`/`run*` call may execute before throwing `SimulationLimitError`. Default 10 000 000. */
  maxEventsPerRun?: number
}

/** How a scheduled event appears in the trace. */
export interface EventOptions {
  /** Traced as `<label> #<seq>` when the event runs; unlabelled events are not traced. */
  label?: string
  /** The node the trace line is filed under. Default `-`. */
  node?: string
}

export interface RunUntilOptions {
  /** Give up once this much virtual time has passed. Required: every run is bounded. */
  maxMs: number
}

/** Lets promise continuations run: a macrotask turn drains the whole microtask queue, however deep. */
async function flushMicrotasks (): Promise<void> {
  await new Promise<void>(resolve => { setImmediate(resolve) })
}

/**
 * Virtual time and the event loop of a simulation; a core `Clock`.
 *
 * Events run one at a time in order of (due time, scheduling sequence), so
 * two timers due at the same instant run in the order they were set, and a
 * run is a pure function of the seed and the code. `now()` reads the due
 * time of the running event. Time moves only inside `step`/`run*`; it never
 * reads the real clock.
 *
 * The synchronous runners suit synchronous cores. Driver code that awaits
 * promises needs the `*Async` runners, which let the microtask queue drain
 * after every event (and before the first) so a continuation runs at the
 * virtual instant its promise settled. Real I/O must not be mixed in: it
 * would make the interleaving depend on the machine.
 */
export class Simulation implements Clock {
  readonly seed: number
  /** The root random stream. Components should take a `fork(label)` instead of drawing from it. */
  readonly random: Random
  readonly trace: Trace
  private current: number
  private readonly wallOrigin: number
  private readonly maxEvents: number
  private readonly queue = new EventQueue()
  private seq = 0
  private executed = 0
  private readonly forkCounts = new Map<string, number>()

  constructor (init: SimulationInit = {}) {
    const seed = init.seed ?? 1
    if (!Number.isSafeInteger(seed)) throw new InvalidConfigError('seed', 'must be a safe integer')
    const maxEvents = init.maxEventsPerRun ?? DEFAULT_MAX_EVENTS_PER_RUN
    if (!(maxEvents >= 1)) throw new InvalidConfigError('maxEventsPerRun', 'must be at least 1')
    this.seed = seed
    this.random = new SeededRandom(seed)
    this.current = init.startMs ?? DEFAULT_START_MS
    this.wallOrigin = init.wallOriginMs ?? DEFAULT_WALL_ORIGIN_MS
    this.maxEvents = maxEvents
    this.trace = new Trace(() => this.current, init.trace)
  }

  now (): number {
    return this.current
  }

  wallNow (): number {
    return this.wallOrigin + this.current
  }

  /** Runs `callback` `ms` (at least 0) after now; traced as `timer #<n>` when it runs. */
  setTimeout (callback: () => void, ms: number): TimerHandle {
    return this.schedule(ms, callback, { label: 'timer' })
  }

  /** A 0 ms event: it runs after everything already due at this instant. */
  defer (callback: () => void): TimerHandle {
    return this.schedule(0, callback, { label: 'timer' })
  }

  clearTimeout (handle: TimerHandle): void {
    this.queue.cancel(handle as QueuedEvent)
  }

  /**
   * Schedules `run` `delayMs` from now (negative or NaN delays count as 0).
   * With a `label` the event is traced as `<label> #<seq>` under `node`
   * when it runs. The returned handle cancels it through `clearTimeout`.
   */
  schedule (delayMs: number, run: () => void, options: EventOptions = {}): TimerHandle {
    return this.scheduleAt(this.current + (delayMs > 0 ? delayMs : 0), run, options)
  }

  /**
   * Schedules `run` at virtual time `at` (now, if `at` is in the past).
   * Absolute times let a caller give two events exactly the same due time,
   * which relative delays computed at different instants cannot promise
   * under floating point.
   */
  scheduleAt (at: number, run: () => void, options: EventOptions = {}): TimerHandle {
    const event: QueuedEvent = { at: at > this.current ? at : this.current, seq: this.seq++, run, cancelled: false, ...options }
    this.queue.push(event)
    return event as TimerHandle
  }

  /** Events scheduled and not yet run or cancelled. */
  get pending (): number {
    return this.queue.size
  }

  /** Events run since the simulation was created. */
  get eventsRun (): number {
    return this.executed
  }

  /** Due time of the next event, or undefined when none is pending. */
  nextEventAt (): number | undefined {
    return this.queue.peek()?.at
  }

  /**
   * A random stream for one component. With a label the stream depends only
   * on the seed, the label and how many forks of that label came before, so
   * adding a component does not change the draws of the others. Without a
   * label it is forked from the root stream.
   */
  fork (label?: string): Random {
    if (label === undefined) return this.random.fork()
    const n = this.forkCounts.get(label) ?? 0
    this.forkCounts.set(label, n + 1)
    const digest = createHash('sha256').update(`${this.seed}\0${label}\0${n}`).digest()
    return new SeededRandom(digest.readInt32LE(0))
  }

  /** A `Clock` for one node whose timers are traced under its name and can all be cancelled at once (a crash). */
  clockFor (node: string): NodeClock {
    return new NodeClock(this, node)
  }

  /** Runs the next event, moving time to its due time. Returns false when none is pending. */
  step (): boolean {
    const event = this.queue.pop()
    if (event === undefined) return false
    this.current = event.at
    this.executed++
    if (event.label !== undefined) this.trace.record(event.node ?? '-', `${event.label} #${event.seq}`)
    event.run()
    return true
  }

  /** Runs every event due within `ms` from now, then sets the time to now + `ms`. Returns the number of events run. */
  runFor (ms: number): number {
    const until = this.deadline(ms, 'runFor')
    let n = 0
    while (this.dueBy(until)) {
      this.step()
      n = this.count(n)
    }
    this.current = until
    return n
  }

  /**
   * Runs events until `predicate` holds (checked before the first event and
   * after each) or `maxMs` of virtual time has passed; in the latter case
   * time ends at the deadline. Returns whether the predicate held.
   */
  runUntil (predicate: () => boolean, options: RunUntilOptions): boolean {
    const until = this.deadline(options.maxMs, 'runUntil')
    let n = 0
    for (;;) {
      if (predicate()) return true
      if (!this.dueBy(until)) break
      this.step()
      n = this.count(n)
    }
    this.current = until
    return predicate()
  }

  /** Runs events until none is pending, or throws `SimulationLimitError` after `maxMs` of virtual time. */
  runAll (options: RunUntilOptions): number {
    const start = this.executed
    if (!this.runUntil(() => this.queue.size === 0, options)) {
      throw new SimulationLimitError(`events still pending after ${options.maxMs} ms of virtual time`)
    }
    return this.executed - start
  }

  /** `step()` followed by a drain of the microtask queue. */
  async stepAsync (): Promise<boolean> {
    await flushMicrotasks()
    const ran = this.step()
    await flushMicrotasks()
    return ran
  }

  /** `runFor` for promise-based code: the microtask queue drains after every event. */
  async runForAsync (ms: number): Promise<number> {
    const until = this.deadline(ms, 'runForAsync')
    let n = 0
    await flushMicrotasks()
    while (this.dueBy(until)) {
      this.step()
      n = this.count(n)
      await flushMicrotasks()
    }
    this.current = until
    return n
  }

  /** `runUntil` for promise-based code: the microtask queue drains after every event, before the predicate is checked. */
  async runUntilAsync (predicate: () => boolean, options: RunUntilOptions): Promise<boolean> {
    const until = this.deadline(options.maxMs, 'runUntilAsync')
    let n = 0
    await flushMicrotasks()
    for (;;) {
      if (predicate()) return true
      if (!this.dueBy(until)) break
      this.step()
      n = this.count(n)
      await flushMicrotasks()
    }
    this.current = until
    return predicate()
  }

  /**
   * Settles `promise` by running the simulation (asynchronously) until it
   * does, for at most `maxMs` of virtual time; throws `SimulationLimitError`
   * if it is still pending then.
   */
  async resolve<T>(promise: Promise<T>, options: RunUntilOptions): Promise<T> {
    let settled = false
    const tracked = promise.finally(() => { settled = true })
    // Avoid an unhandled rejection while the simulation runs; the await below rethrows it.
    tracked.catch(() => {})
    if (!await this.runUntilAsync(() => settled, options)) {
      throw new SimulationLimitError(`promise still pending after ${options.maxMs} ms of virtual time`)
    }
    return await tracked
  }

  private dueBy (until: number): boolean {
    const next = this.queue.peek()
    return next !== undefined && next.at <= until
  }

  private deadline (ms: number, what: string): number {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`${what}(${ms}) needs a finite, non-negative duration`)
    return this.current + ms
  }

  private count (n: number): number {
    if (n + 1 > this.maxEvents) {
      throw new SimulationLimitError(`more than ${this.maxEvents} events in one run at ${this.current} ms: is a callback rescheduling itself with no delay?`)
    }
    return n + 1
  }
}
