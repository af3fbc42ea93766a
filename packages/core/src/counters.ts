import { ClusterfunkError, DecodeError } from './errors.js'

/**
 * The counters the protocols only ever advance — Raft terms and log indexes,
 * SWIM incarnations, shard-map versions, Lamport times — and the one place
 * their ranges are checked.
 *
 * Two rules keep a hostile or corrupt number from stalling a cluster for good:
 *
 * 1. **An absolute range.** A decoded value outside `[0, max]` is a decode
 *    error (dropped and counted by the caller). `max` leaves room to advance:
 *    `next(max)` is still representable on the wire, and arithmetic on values
 *    in range never loses precision.
 * 2. **A bounded step.** Where a receiver knows the current value (its own
 *    term, the incarnation it holds for a member), a claim more than
 *    `maxStep` ahead of it is implausible: honest peers advance these
 *    counters by one per election or refutation, so no honest gap comes near
 *    the step. Such a claim is dropped, so one packet cannot push a counter to
 *    the end of its range, and exhausting it takes `max / maxStep` accepted
 *    forgeries — impossible where messages are authenticated.
 */
export interface CounterRange {
  /** What the counter counts, for messages: `'term'`, `'incarnation'`. */
  readonly kind: string
  /** The largest value a decoder accepts. */
  readonly max: number
  /** The largest advance over a known value a receiver takes as plausible. */
  readonly maxStep: number
}

/** A counter reached the end of its range; the protocol cannot advance it. */
export class CounterExhaustedError extends ClusterfunkError {
  static readonly code = 'ERR_COUNTER_EXHAUSTED'
  readonly kind: string
  constructor (kind: string, value: number) {
    super(`the ${kind} ${value} is at the end of its range and cannot advance`, CounterExhaustedError.code)
    this.name = 'CounterExhaustedError'
    this.kind = kind
  }
}

/** A counter range; `max` must be a safe integer. */
export function counterRange (kind: string, max: number, maxStep: number): CounterRange {
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`${kind}: max must be a positive safe integer`)
  if (!Number.isSafeInteger(maxStep) || maxStep < 1 || maxStep > max) throw new RangeError(`${kind}: maxStep must be in 1..max`)
  return Object.freeze({ kind, max, maxStep })
}

/** Raft terms: 64-bit on the wire, safe integers here; one step per election. */
export const TERMS = counterRange('term', Number.MAX_SAFE_INTEGER - 1, 2 ** 20)
/** Raft log indexes (also commit, match and snapshot indexes). Followers may be far behind, so no step bound applies. */
export const LOG_INDEXES = counterRange('log index', Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER - 1)
/** SWIM incarnations: uint32 on the wire; one step per refutation. */
export const INCARNATIONS = counterRange('incarnation', 0xffff_fffe, 2 ** 10)
/** Shard-map versions: one step per proposal. */
export const MAP_VERSIONS = counterRange('map version', Number.MAX_SAFE_INTEGER - 1, 2 ** 20)
/** Lamport times of user events and queries. */
export const LAMPORT_TIMES = counterRange('Lamport time', Number.MAX_SAFE_INTEGER - 1, 2 ** 20)

/** True when `value` is an integer in `[0, range.max]`. */
export function inRange (range: CounterRange, value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= range.max
}

/**
 * `value` when it is in range, else a DecodeError naming `field`.
 * @throws DecodeError
 */
export function checkCounter (range: CounterRange, value: number, field: string = range.kind): number {
  if (!inRange(range, value)) throw new DecodeError(`${field}: ${String(value)} is outside the ${range.kind} range 0..${range.max}`)
  return value
}

/**
 * True when `claimed` is a plausible value of a counter this receiver knows
 * at `known`: in range and at most `maxStep` ahead (any value behind is
 * plausible; the protocol decides what to do with stale values).
 */
export function plausibleAdvance (range: CounterRange, known: number, claimed: number): boolean {
  return inRange(range, claimed) && claimed - known <= range.maxStep
}

/**
 * The value after `value`.
 * @throws CounterExhaustedError when `value` is already `max`
 */
export function nextCounter (range: CounterRange, value: number): number {
  if (!inRange(range, value)) throw new RangeError(`${range.kind} ${String(value)} is outside 0..${range.max}`)
  if (value >= range.max) throw new CounterExhaustedError(range.kind, value)
  return value + 1
}
