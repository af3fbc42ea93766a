import { Inflights } from './inflights.js'

/**
 * How the leader replicates to one follower:
 * - `probe`: the leader does not know where the logs match; one
 *   AppendEntries at a time, waiting for its answer.
 * - `replicate`: the logs match up to `match`; AppendEntries are pipelined
 *   within the inflight window, `next` moving on optimistically.
 * - `snapshot`: the entries the follower needs are compacted; a snapshot is
 *   being sent and replication waits for it.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot'

/** The leader's view of one follower's log. */
export class Progress {
  /** The highest index known to be replicated on the follower. */
  match = 0
  /** The index of the next entry to send. */
  next: number
  state: ProgressState = 'probe'
  /** In `probe`: an AppendEntries was sent and is not yet answered. */
  probeSent = false
  /** In `probe`: the leader's tick count when the last probe went out. */
  probeSentTick = 0
  /** Replicate state: the leader tick of the last empty append a heartbeat answer caused (at most one a tick). */
  emptyAppendTick = -1
  /** In `snapshot`: the index of the snapshot being sent. */
  pendingSnapshot = 0
  /** The follower answered since the last check-quorum round. */
  recentActive = false
  /** The newest ReadIndex round the follower has acknowledged. */
  readSeqAcked = 0
  /** The highest commit index sent to the follower (in an append or a heartbeat). */
  commitSent = 0
  readonly inflights: Inflights

  constructor (next: number, maxInflight: number) {
    this.next = next
    this.inflights = new Inflights(maxInflight)
  }

  private resetState (state: ProgressState): void {
    this.probeSent = false
    this.pendingSnapshot = 0
    this.state = state
    this.inflights.reset()
  }

  becomeProbe (): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot
      this.resetState('probe')
      this.next = Math.max(this.match + 1, pending + 1)
    } else {
      this.resetState('probe')
      this.next = this.match + 1
    }
  }

  becomeReplicate (): void {
    this.resetState('replicate')
    this.next = this.match + 1
  }

  becomeSnapshot (snapshotIndex: number): void {
    this.resetState('snapshot')
    this.pendingSnapshot = snapshotIndex
  }

  /** An ack of `index` arrived; returns true when it moved `match`. */
  maybeUpdate (index: number): boolean {
    let updated = false
    if (this.match < index) {
      this.match = index
      updated = true
      this.probeSent = false
    }
    this.next = Math.max(this.next, index + 1)
    return updated
  }

  /**
   * A rejection of the AppendEntries whose `prevLogIndex` was `rejected`;
   * `hintNext` is where the conflict hint says to retry. Returns false for
   * a stale rejection (one that answers an earlier message).
   */
  maybeDecrTo (rejected: number, hintNext: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false
      this.next = this.match + 1
      return true
    }
    if (this.next - 1 !== rejected) return false
    this.next = Math.max(Math.min(rejected, hintNext), this.match + 1, 1)
    this.probeSent = false
    return true
  }

  /** True when the leader must not send another AppendEntries now. */
  isPaused (): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent
      case 'replicate': return this.inflights.full()
      case 'snapshot': return true
    }
  }
}

/** What the driver may read of a follower's progress (to tell when a non-voter has caught up). */
export interface ProgressView {
  readonly match: number
  readonly next: number
  readonly state: ProgressState
  readonly recentActive: boolean
  readonly isVoter: boolean
}
