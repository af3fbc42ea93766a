/**
 * Lifeguard suspicion timing: a suspicion starts with a long timeout that
 * shrinks, on a log scale, as independent members confirm it. The arithmetic
 * is pure; `Suspicion` keeps the state of one timer and the core checks its
 * `deadline` on `tick`.
 */

/** The minimum and maximum suspicion timeout for a cluster of `members`. */
export interface SuspicionBounds {
  minMs: number
  maxMs: number
}

/**
 * min = mult · max(1, log10 N) · probe interval, max = maxMult · min
 * (memberlist's suspicionTimeout and SuspicionMaxTimeoutMult). Rounded down to
 * whole milliseconds.
 */
export function suspicionBounds (suspicionMult: number, maxTimeoutMult: number, members: number, probeIntervalMs: number): SuspicionBounds {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, members)))
  const minMs = Math.floor(suspicionMult * nodeScale * probeIntervalMs)
  return { minMs, maxMs: maxTimeoutMult * minMs }
}

/**
 * The total suspicion timeout after `confirmations` of the `wanted`
 * independent confirmations arrived:
 * max(min, max − (max − min) · log(C+1) / log(K+1)), in whole milliseconds.
 * With nothing wanted (K < 1) it is `min` from the start.
 */
export function suspicionTimeout (minMs: number, maxMs: number, confirmations: number, wanted: number): number {
  if (wanted < 1) return minMs
  const fraction = Math.log(confirmations + 1) / Math.log(wanted + 1)
  const raw = Math.floor(maxMs - fraction * (maxMs - minMs))
  return Math.max(minMs, raw)
}

/** Time left of a suspicion that has run `elapsedMs`; negative once it expired. */
export function remainingSuspicionTime (confirmations: number, wanted: number, elapsedMs: number, minMs: number, maxMs: number): number {
  return suspicionTimeout(minMs, maxMs, confirmations, wanted) - elapsedMs
}

/**
 * The confirmations a suspicion waits for: mult − 2, or none when the cluster
 * has too few other members to give them (N − 2 excludes this node and the
 * suspect).
 */
export function wantedConfirmations (suspicionMult: number, members: number): number {
  const k = suspicionMult - 2
  return members - 2 < k ? 0 : Math.max(0, k)
}

/** One running suspicion timer: who accused, who confirmed, when it fires. */
export class Suspicion {
  readonly startedAt: number
  readonly wanted: number
  readonly minMs: number
  readonly maxMs: number
  private readonly seen = new Set<string>()
  private count = 0

  /** `accuser` started the suspicion; it cannot also confirm it. */
  constructor (accuser: string, startedAt: number, wanted: number, bounds: SuspicionBounds) {
    this.startedAt = startedAt
    this.wanted = wanted
    this.minMs = bounds.minMs
    this.maxMs = bounds.maxMs
    this.seen.add(accuser)
  }

  /** Independent confirmations so far (the accuser not counted). */
  get confirmations (): number {
    return this.count
  }

  /** When the suspect is declared dead unless it refutes first. */
  get deadline (): number {
    return this.startedAt + suspicionTimeout(this.minMs, this.maxMs, this.count, this.wanted)
  }

  /**
   * Counts `from` as a confirmation. True when it was new (the caller then
   * re-gossips it); false for a repeat, the accuser, or once enough arrived.
   */
  confirm (from: string): boolean {
    if (this.count >= this.wanted) return false
    if (this.seen.has(from)) return false
    this.seen.add(from)
    this.count++
    return true
  }
}
