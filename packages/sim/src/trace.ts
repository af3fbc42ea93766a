import { createHash, type Hash } from 'node:crypto'

export interface TraceInit {
  /** Record nothing when false (hash() is then the hash of no lines). Default true. */
  enabled?: boolean
  /**
   * Keep at most this many recent lines for `lines()`; the hash still covers
   * every line ever recorded. Default 100 000.
   */
  maxLines?: number
}

/**
 * What happened in a simulation, one line an event: `<time> <node> <event>`,
 * time with three decimals. The network, the disk and the scheduler write
 * to it. Recording only appends text: it draws no randomness and schedules
 * nothing, so a run behaves the same with tracing on or off.
 *
 * Two runs with the same seed must produce the same lines; `hash()` makes
 * that cheap to compare.
 */
export class Trace {
  readonly enabled: boolean
  private readonly maxLines: number
  private readonly kept: string[] = []
  private hasher: Hash = createHash('sha256')
  private count = 0

  constructor (private readonly now: () => number, init: TraceInit = {}) {
    this.enabled = init.enabled ?? true
    this.maxLines = init.maxLines ?? 100_000
  }

  /** Lines recorded so far, including ones no longer kept. */
  get length (): number {
    return this.count
  }

  /** Appends `<now> <node> <event>`. Node and event must not contain newlines. */
  record (node: string, event: string): void {
    if (!this.enabled) return
    const line = `${this.now().toFixed(3)} ${node} ${event}`
    this.hasher.update(line + '\n')
    this.count++
    this.kept.push(line)
    // Trim in chunks so a long run does not pay for shifting on every line.
    if (this.kept.length > this.maxLines * 1.25) this.kept.splice(0, this.kept.length - this.maxLines)
  }

  /** The most recent lines (all of them unless more than `maxLines` were recorded), oldest first. */
  lines (): string[] {
    return this.kept.length > this.maxLines ? this.kept.slice(-this.maxLines) : this.kept.slice()
  }

  /** The last `n` lines, oldest first. */
  tail (n: number): string[] {
    return n <= 0 ? [] : this.kept.slice(-n)
  }

  /** The kept lines joined with newlines, each line ending in one. */
  text (): string {
    return this.lines().map(l => l + '\n').join('')
  }

  /** Hex sha256 of every line recorded, each ending in a newline (equals sha256(text()) while nothing was trimmed). */
  hash (): string {
    return this.hasher.copy().digest('hex')
  }
}
