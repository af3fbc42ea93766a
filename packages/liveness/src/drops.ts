import type { Counter, Metrics } from '@clusterfunk/core'
import { DROP_REASONS, type DropReason } from './packet.js'

/** Dropped datagrams, by reason. */
export type DropCounts = Record<DropReason, number>

/**
 * Counts dropped datagrams by reason, both as plain numbers (for `stats()`)
 * and as a labelled metric. Drops are rare in a healthy cluster, so the
 * labelled call off the hot path is fine.
 */
export class DropCounter {
  private readonly counts: DropCounts
  private readonly metric: Counter

  constructor (metrics: Metrics, name: string, help: string) {
    this.counts = Object.fromEntries(DROP_REASONS.map(r => [r, 0])) as DropCounts
    this.metric = metrics.counter({ name, help, labelNames: ['reason'] })
  }

  drop (reason: DropReason): void {
    this.counts[reason]++
    this.metric.inc({ reason })
  }

  /** A copy of the counts. */
  snapshot (): DropCounts {
    return { ...this.counts }
  }

  /** Sum over every reason. */
  total (): number {
    let sum = 0
    for (const r of DROP_REASONS) sum += this.counts[r]
    return sum
  }
}
