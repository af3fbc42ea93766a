/**
 * Lifeguard local health awareness. A node that misses nacks, fails probes
 * or has to refute suspicions of itself is probably the slow one; it raises
 * its score and stretches its own probe interval, so it accuses others less
 * readily while it is unwell.
 */

/** `timeoutMs` scaled by the health score: timeout · (score + 1). */
export function scaleByHealth (timeoutMs: number, score: number): number {
  return timeoutMs * (score + 1)
}

/** The score after `delta`, kept within [0, maxMultiplier − 1]. */
export function applyHealthDelta (score: number, delta: number, maxMultiplier: number): number {
  return Math.min(maxMultiplier - 1, Math.max(0, score + delta))
}

/** The local health score of one node. 0 is healthy. */
export class Awareness {
  private current = 0

  constructor (readonly maxMultiplier: number) {}

  /** The score: 0 (healthy) to maxMultiplier − 1. */
  get score (): number {
    return this.current
  }

  /** Raises (positive) or lowers (negative) the score, clamped. */
  applyDelta (delta: number): void {
    this.current = applyHealthDelta(this.current, delta, this.maxMultiplier)
  }

  /** `timeoutMs` stretched by the current score. */
  scale (timeoutMs: number): number {
    return scaleByHealth(timeoutMs, this.current)
  }
}
