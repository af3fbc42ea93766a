import type { DropReason } from './packet.js'

/** Limits of `CheckerWindows`; defaults in `constants.ts`. */
export interface CheckerWindowsOptions {
  /** Largest gap between a probe's send time and the endpoint's wall clock, either way (ms). */
  maxAgeMs: number
  /** Checkers remembered at once. */
  maxCheckers: number
}

/**
 * The endpoint's replay protection for keyed probes: per checker (by its
 * random id), the send time of the last probe answered. A probe is answered
 * only when it is newer than that and within the time window, so a captured
 * probe sent again — now or in a year — gets no answer, and the endpoint
 * reflects nothing. A checker stamps strictly increasing send times across
 * all its probes, and probes one endpoint at most once per interval, so
 * "newer than the last" loses no honest probe short of a reordering across
 * an interval (which then counts as one miss).
 *
 * State is bounded: a checker unseen for longer than the time window can be
 * forgotten safely (its old probes are stale anyway); when `maxCheckers`
 * live ones are held, a new checker is refused (`busy`) rather than one
 * forgotten while its probes could still be replayed. Pure: the caller
 * passes its wall clock.
 */
export class CheckerWindows {
  private readonly last = new Map<string, number>()

  constructor (private readonly options: CheckerWindowsOptions) {}

  get size (): number {
    return this.last.size
  }

  /** Records and accepts a fresh probe; returns why not otherwise. */
  accept (checker: string, sentAtMs: number, wallNow: number): DropReason | undefined {
    if (Math.abs(wallNow - sentAtMs) > this.options.maxAgeMs) return 'stale'
    const previous = this.last.get(checker)
    if (previous !== undefined) {
      if (sentAtMs <= previous) return 'replay'
      this.last.set(checker, sentAtMs)
      return undefined
    }
    if (this.last.size >= this.options.maxCheckers) {
      for (const [id, at] of this.last) if (wallNow - at > this.options.maxAgeMs) this.last.delete(id)
      if (this.last.size >= this.options.maxCheckers) return 'busy'
    }
    this.last.set(checker, sentAtMs)
    return undefined
  }
}
