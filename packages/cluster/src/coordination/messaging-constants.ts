/** Defaults of member info, requests, user events and queries on a `Cluster`. */
export const MESSAGING_DEFAULTS = Object.freeze({
  /** SWIM tags under this prefix are member info (`setMemberInfo`); the rest are endpoints and the cluster's own. */
  infoTagPrefix: 'info.',
  /** Deadline of `request()` without its own (ms). */
  requestTimeoutMs: 5_000,
  /** Request handlers run at once on a node; a request beyond is refused with `HandlersBusyError`. */
  maxConcurrentHandlers: 64,
  /** Management clients a node keeps open to the peers it sends requests to. */
  requestClients: 64,
  /** Coalescing events of one name that arrive within this window are delivered once, the latest (ms). */
  eventCoalesceMs: 200,
  /** Event names held for coalescing at once; an event beyond is delivered at once. */
  maxCoalescedNames: 1024,
  /** Deadline of `query()` without its own (ms). */
  queryTimeoutMs: 2_000,
  /**
   * Times a query is sent again, straight to the live members that match
   * its filters (by their tags as gossiped) and have not acked, spread over
   * the first half of its timeout: gossip alone may miss a member.
   */
  queryResends: 2,
  /** Queries of this node waiting for answers at once; one beyond is refused. */
  maxPendingQueries: 256,
  /** Query handlers run at once on a node; a query beyond goes unanswered (counted). */
  maxConcurrentQueryHandlers: 64,
  /** Answers buffered per query for a reader that has not taken them (acks and responses of up to 2 048 members). */
  maxQueryReplies: 4096
})
