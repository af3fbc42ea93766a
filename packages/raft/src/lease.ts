import type { NodeId } from './configuration.js'
import { quorumIndex } from './quorum.js'

/** One heartbeat broadcast: its round number and the tick it was sent at. */
interface Round {
  readonly seq: number
  readonly tick: number
}

/**
 * The leader's read lease (etcd's ReadOnlyLeaseBased, kept in the core and
 * counted in ticks). A follower that answers a heartbeat refuses to vote
 * for anyone else for an election timeout T counted from when it RECEIVED
 * that heartbeat (`stepMessage`, with check-quorum). So when a quorum
 * answered a round sent at tick s, no other leader can be elected before
 * s + T on the followers' clocks, and the leader may serve reads from its
 * commit index until s + `ticks`, where `ticks` = T − a margin. Counting
 * from the send, not from when the answers arrive, makes the message
 * delays part of the safety margin instead of eating into it.
 *
 * The margin: one tick, because a follower's count restarts between two of
 * its ticks (so its T ticks can pass in T − 1 tick intervals), plus a
 * share of T for clock rates that differ (see `LEASE_DRIFT`). The driver
 * must tick at the real rate, catching up ticks a paused process missed,
 * or a paused leader would wake up believing no time passed.
 */
export class LeaseTracker {
  private rounds: Round[] = []
  private expires = -Infinity
  /** Rounds up to this one do not count (sent before a configuration change or a step-down). */
  private floor = 0

  constructor (readonly ticks: number) {}

  /** A heartbeat round went out at `tick`. */
  sent (seq: number, tick: number): void {
    if (this.ticks <= 0) return
    // A round older than the lease can never extend it: keep the list short.
    while (this.rounds.length > 0 && (this.rounds[0] as Round).tick + this.ticks <= tick) this.rounds.shift()
    this.rounds.push({ seq, tick })
  }

  /** Acks moved: extends the lease to the newest round a quorum of `voters` has answered. */
  acked (voters: readonly NodeId[], ackedSeq: (id: NodeId) => number): void {
    if (this.rounds.length === 0) return
    const q = quorumIndex(voters, ackedSeq)
    if (q <= this.floor) return
    let newest: Round | undefined
    while (this.rounds.length > 0 && (this.rounds[0] as Round).seq <= q) newest = this.rounds.shift()
    if (newest !== undefined) this.expires = Math.max(this.expires, newest.tick + this.ticks)
  }

  /** True while the lease holds at `tick`. */
  holds (tick: number): boolean {
    return tick < this.expires
  }

  /** The tick the lease ends at (−Infinity: not held). */
  get expiresAt (): number {
    return this.expires
  }

  /** Drops the lease and every round sent up to `seq` (a step-down or a configuration change). */
  reset (seq: number): void {
    this.rounds = []
    this.expires = -Infinity
    this.floor = seq
  }
}
