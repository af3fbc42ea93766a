import type { Counter, Gauge, Histogram, Metrics } from '@clusterfunk/core'
import type { DropReason } from './ranges.js'
import type { HardState } from './types.js'

/**
 * The series a `Raft` node reports, named `clusterfunk_raft_<what>`, with
 * durations in seconds (Prometheus' unit). The core and the driver count in
 * plain values (hard state, applied index, drop reasons, milliseconds); this
 * class turns them into series.
 */
export class RaftMetrics {
  readonly term: Gauge
  readonly commit: Gauge
  readonly applied: Gauge
  readonly commitLatency: Histogram
  readonly proposals: Counter
  readonly leaderChanges: Counter
  readonly snapshots: Counter
  /** Messages the core dropped, by `DropReason`. */
  readonly droppedMessages: Counter

  constructor (metrics: Metrics) {
    this.term = metrics.gauge({ name: 'clusterfunk_raft_term', help: 'The current Raft term' })
    this.commit = metrics.gauge({ name: 'clusterfunk_raft_commit_index', help: 'The highest log index known committed' })
    this.applied = metrics.gauge({ name: 'clusterfunk_raft_applied_index', help: 'The highest log index applied to the state machine' })
    this.commitLatency = metrics.histogram({
      name: 'clusterfunk_raft_commit_latency_seconds',
      help: 'Seconds from a proposal to its application on the leader',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]
    })
    this.proposals = metrics.counter({ name: 'clusterfunk_raft_proposals_total', help: 'Proposals accepted by this node as leader' })
    this.leaderChanges = metrics.counter({ name: 'clusterfunk_raft_leader_changes_total', help: 'Times this node saw a new leader' })
    this.snapshots = metrics.counter({ name: 'clusterfunk_raft_snapshots_total', help: 'Snapshots taken by this node' })
    this.droppedMessages = metrics.counter({ name: 'clusterfunk_raft_dropped_messages_total', help: 'Messages the Raft core dropped: a number out of range or a term implausibly far ahead', labelNames: ['reason'] })
  }

  /** A proposal of this leader applied `ms` after it was made. */
  observeCommit (ms: number): void {
    this.commitLatency.observe(ms / 1000)
  }

  /** The core dropped a message. */
  onDropped (reason: DropReason): void {
    this.droppedMessages.inc({ reason })
  }

  onHardState (hs: HardState): void {
    this.term.set(hs.term)
    this.commit.set(hs.commit)
  }
}
