import type { Clock, Logger } from '@clusterfunk/core'
import { LEASE_READS_IN_FLIGHT } from './constants.js'

/** What a `ContactLease` works with. */
export interface ContactLeaseComponents {
  /** Raft's linearizable read (`Raft.read`): resolves once this node applied the leader's commit index as of the request. */
  raft: { read: (fn: undefined, options: { timeoutMs: number }) => Promise<unknown> }
  clock: Clock
  logger: Logger
  /** A read came back: the lease may have been renewed. */
  changed: () => void
}

/**
 * A node's lease on serving its shards. The node renews it with a Raft
 * ReadIndex round trip (through the leader on a follower, a quorum
 * heartbeat round on the leader): when the read comes back, the node has
 * applied every entry committed before the leader took the request, so
 * it holds every map committed before then, and the lease runs `leaseMs`
 * from when the node *asked*. The leader, for its part, commits a map that
 * leaves a node out only after that node acked the proposal or `leaseMs`
 * after the leader applied it (`CoordinatorInit.leaseMs`): by then a node
 * still holding the old map has seen its lease run out, whatever the
 * network did — also when the leader's messages reach it but its own do
 * not reach the leader, which hearing heartbeats alone cannot tell. (Clock
 * rates are taken to agree over `leaseMs`; the request's trip to the
 * leader is the margin.)
 *
 * A read starts once two thirds of the lease are left, and while none
 * has come back another starts every third of the lease, up to
 * `LEASE_READS_IN_FLIGHT` at once: on a busy host a round trip can take
 * most of the lease, and a slow read must neither be cut off early (it
 * still renews the lease from when it asked, if it is back in time) nor
 * hold up the next. A read is given up once the lease it could renew
 * would have run out. A read refused at once (no leader) is tried again a
 * tenth of the lease later. Reads start on `renew()`, which the node calls
 * on every step, and again at `nextWake()`.
 */
export class ContactLease {
  private readonly c: ContactLeaseComponents
  private readonly leaseMs: number
  private until = -Infinity
  /** No read starts before this: a third of the lease after the last one, a tenth after a refusal. */
  private nextAskAt = -Infinity
  private inFlight = 0

  constructor (components: ContactLeaseComponents, leaseMs: number) {
    this.c = components
    this.leaseMs = leaseMs
  }

  /** Whether the lease holds at `now`. */
  valid (now: number): boolean {
    return now < this.until
  }

  /** When the lease runs out (−Infinity: never held). */
  get expiresAt (): number {
    return this.until
  }

  /** Starts a read when one is due and fewer than `LEASE_READS_IN_FLIGHT` are out. */
  renew (now: number): void {
    if (this.inFlight >= LEASE_READS_IN_FLIGHT || now < this.nextAskAt || now < this.renewAt()) return
    this.inFlight++
    this.nextAskAt = now + this.leaseMs / 3
    this.c.raft.read(undefined, { timeoutMs: this.leaseMs }).then(() => {
      this.until = Math.max(this.until, now + this.leaseMs)
    }, (err: unknown) => {
      // No leader, or the read got lost: try again soon, not at once (a read refused at once would spin).
      this.nextAskAt = Math.min(this.nextAskAt, this.c.clock.now() + this.leaseMs / 10)
      this.c.logger.trace('lease not renewed', { error: err instanceof Error ? err.message : String(err) })
    }).finally(() => {
      this.inFlight--
      this.c.changed()
    })
  }

  /** When `renew()` or the end of the lease is next due after `now` (Infinity: nothing is). */
  nextWake (now: number): number {
    const due = this.inFlight >= LEASE_READS_IN_FLIGHT ? [this.until] : [Math.max(this.renewAt(), this.nextAskAt), this.until]
    let at = Infinity
    for (const t of due) if (t > now && t < at) at = t
    return at
  }

  private renewAt (): number {
    return this.until - this.leaseMs * 2 / 3
  }
}
