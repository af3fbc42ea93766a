import type { NodeId } from './configuration.js'
import { hasQuorum } from './quorum.js'

/** A ReadIndex request waiting for its heartbeat round to be confirmed by a quorum. */
export interface PendingRead {
  readonly requestId: string
  /** The commit index when the request arrived: the read index. */
  readonly index: number
  /** Who asked: the leader itself or a follower to answer. */
  readonly from: NodeId
  readonly seq: number
}

/**
 * The leader's ReadIndex bookkeeping (dissertation §6.4). Each request opens
 * a heartbeat round numbered `seq`; a round is confirmed when a quorum of
 * voters (the leader included) answered a heartbeat of that round or a
 * later one, which proves no newer leader existed when the round began.
 */
export class ReadIndexTracker {
  private seq = 0
  private pending: PendingRead[] = []

  /** The newest round, carried by every heartbeat. */
  get currentSeq (): number {
    return this.seq
  }

  get size (): number {
    return this.pending.length
  }

  /** Starts a new heartbeat round (every broadcast is one, so the lease knows when each was sent); returns its number. */
  nextRound (): number {
    return ++this.seq
  }

  /** Opens a round for one request; the caller then sends heartbeats with `currentSeq`. */
  add (requestId: string, index: number, from: NodeId): void {
    this.seq++
    this.pending.push({ requestId, index, from, seq: this.seq })
  }

  /** The requests whose round a quorum has confirmed, removed from the queue, oldest first. */
  release (voters: readonly NodeId[], ackedSeq: (id: NodeId) => number): PendingRead[] {
    let n = 0
    while (n < this.pending.length) {
      const seq = (this.pending[n] as PendingRead).seq
      if (!hasQuorum(voters, id => ackedSeq(id) >= seq)) break
      n++
    }
    return n === 0 ? [] : this.pending.splice(0, n)
  }

  reset (): void {
    this.pending = []
  }
}
