/**
 * The time a leader stamps into entries (pure: both clocks are inputs).
 *
 * Default: when a node starts stamping (it became leader), it anchors the
 * machine's time at max(its wall clock, the last applied time) and from
 * then on advances it by its monotonic clock, so a wall-clock step on the
 * leader during its term does not move the machine's time. With
 * `localTime` it stamps its wall clock as it is. Either way a stamp is
 * never below the last applied time or the previous stamp, so `now()` never
 * goes back, also when a new leader's clock is behind the old one's.
 */
export class LeaderClock {
  private anchorTs = 0
  private anchorMono = 0
  private anchored = false
  private lastStamp = 0

  constructor (private readonly localTime: boolean) {}

  /** Forget the anchor (leadership lost): the next term anchors again. */
  reset (): void {
    this.anchored = false
  }

  stamp (wallMs: number, monoMs: number, lastAppliedTs: number): number {
    let ts: number
    if (this.localTime) {
      ts = wallMs
    } else {
      if (!this.anchored) {
        this.anchorTs = Math.max(wallMs, lastAppliedTs)
        this.anchorMono = monoMs
        this.anchored = true
      }
      ts = this.anchorTs + (monoMs - this.anchorMono)
    }
    ts = Math.floor(Math.max(ts, lastAppliedTs, this.lastStamp))
    this.lastStamp = ts
    return ts
  }
}
