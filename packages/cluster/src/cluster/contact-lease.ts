import type { Clock, Logger } from '@clusterfunk/core'

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
 * A read starts once two thirds of the lease are left (so a lost one is
 * retried in time: each may take a third), or as soon as there is none;
 * one at a time, on `renew()`, which the node calls on every step, and
 * again at `nextWake()`.
 */
export class ContactLease {
  private readonly c: ContactLeaseComponents
  private readonly leaseMs: number
  private until = -Infinity
  private retryAt = -Infinity
  private reading = false

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

  /** Starts a read when one is due and none is in flight. */
  renew (now: number): void {
    if (this.reading || now < this.retryAt || now < this.renewAt()) return
    this.reading = true
    this.c.raft.read(undefined, { timeoutMs: this.leaseMs / 3 }).then(() => {
      this.until = Math.max(this.until, now + this.leaseMs)
    }, (err: unknown) => {
      // No leader, or the read got lost: try again soon, not at once (a read refused at once would spin).
      this.retryAt = this.c.clock.now() + this.leaseMs / 10
      this.c.logger.trace('lease not renewed', { error: err instanceof Error ? err.message : String(err) })
    }).finally(() => {
      this.reading = false
      this.c.changed()
    })
  }

  /** When `renew()` or the end of the lease is next due after `now` (Infinity: nothing is). */
  nextWake (now: number): number {
    const due = this.reading ? [this.until] : [Math.max(this.renewAt(), this.retryAt), this.until]
    let at = Infinity
    for (const t of due) if (t > now && t < at) at = t
    return at
  }

  private renewAt (): number {
    return this.until - this.leaseMs * 2 / 3
  }
}
