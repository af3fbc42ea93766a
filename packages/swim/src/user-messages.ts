import { InvalidArgumentError, type Counter, type Random } from '@clusterfunk/core'
import type { BroadcastQueue } from './broadcast-queue.js'
import { MAX_NAME_BYTES, MAX_QUERY_FILTER_NODES, messageSize, PACKET_HEADER_BYTES, packedMessageSize } from './codec.js'
import type { SwimConfig } from './config.js'
import { PayloadTooLargeError } from './errors.js'
import { LamportClock } from './lamport.js'
import type { BroadcastMessage, QueryMessage, QueryResponseMessage, Tags, UserEventMessage, UserMessage } from './messages.js'
import type { Outbox } from './outbox.js'
import { RecentMessages, type Admission } from './recent-messages.js'

/**
 * User events and queries are gossiped this many times the retransmit
 * limit of membership news: with memberlist's limit alone (4 · ⌈log10(N+1)⌉
 * sends per member) one member in a few dozen misses a message on a
 * lossless network, which membership news mends by probing and push/pull
 * but a query could not.
 */
export const USER_RETRANSMIT_SCALE = 3

/**
 * A query is also sent straight to this many live members that match its
 * filters (by the tags gossip holds for them) as it starts: answers then
 * come back within a round trip instead of a few gossip intervals; members
 * beyond (and those whose tags changed) get it by gossip.
 */
export const MAX_DIRECT_QUERY_TARGETS = 128

/** What the user-message layer needs from the core around it. */
export interface UserMessagesContext {
  readonly config: SwimConfig
  readonly id: string
  readonly random: Random
  readonly queue: BroadcastQueue<BroadcastMessage>
  readonly outbox: Outbox
  /** This node's address and tags now (queries are matched against them). */
  readonly self: () => { address: string, tags: Tags }
  /** Counts user messages by kind and result (new, duplicate, stale, filtered, too-large). */
  readonly counter: Counter
  /** Live members other than this node (alive or suspect), for queries sent straight to them. */
  readonly peers: () => ReadonlyArray<{ id: string, address: string, tags: Tags }>
  /** Sends the queue to a few members now (a new event or query is pushed on at once, not at the next gossip tick). */
  readonly push: () => void
}

/** What a query asks, before the core stamps it. */
export interface QueryInit {
  name: string
  payload: Uint8Array
  filterNodes?: readonly string[]
  filterTags?: Tags | Record<string, string>
  timeoutMs: number
  wantAck?: boolean
}

/** True when a member with `id` and `tags` passes the query's filters. */
export function queryMatches (query: Pick<QueryMessage, 'filterNodes' | 'filterTags'>, id: string, tags: Tags): boolean {
  if (query.filterNodes.length > 0 && !query.filterNodes.includes(id)) return false
  for (const [k, v] of query.filterTags) if (tags.get(k) !== v) return false
  return true
}

/** How often a member answers one query again when it comes again (its origin resends it twice). */
const MAX_REANSWERS = 2

function answerKey (query: QueryMessage): string {
  return `${query.origin}:${query.id}`
}

function checkName (name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError(`a ${what} needs a non-empty name`)
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) throw new InvalidArgumentError(`a ${what} name is at most ${MAX_NAME_BYTES} bytes`)
  return name
}

/**
 * Serf's user events and queries on SWIM gossip, as a part of the pure
 * core: two Lamport clocks (events, queries), a bounded recent-message
 * buffer for each, broadcasts through the core's transmit-limited queue,
 * query filters, acks and responses sent straight to a query's origin.
 * Everything new is handed to `deliver` (the driver emits it).
 */
export class UserMessages {
  readonly eventClock = new LamportClock()
  readonly queryClock = new LamportClock()
  private readonly recentEvents: RecentMessages<UserEventMessage>
  private readonly recentQueries: RecentMessages
  /**
   * The answers this member sent to recent queries, by `origin:id`, oldest
   * first and at most `recentUserMessages` of them: a query that comes
   * again (its origin resends it to members it has no answer from) is
   * answered again from here, so a lost answer is not lost for good — at
   * most `MAX_REANSWERS` times a query, as gossip brings copies of it too.
   */
  private readonly answers = new Map<string, { sent: QueryResponseMessage[], again: number }>()
  delivered: UserMessage[] = []

  constructor (private readonly ctx: UserMessagesContext) {
    this.recentEvents = new RecentMessages(ctx.config.recentUserMessages)
    this.recentQueries = new RecentMessages(ctx.config.recentUserMessages)
  }

  /** Hands over what was delivered since the last call. */
  take (): UserMessage[] {
    const out = this.delivered
    this.delivered = []
    return out
  }

  /**
   * Fires a user event: stamps it, delivers it here and gossips it.
   * @throws InvalidArgumentError for a bad name, PayloadTooLargeError for a payload over the limits
   */
  fire (name: string, payload: Uint8Array, coalesce: boolean): UserEventMessage {
    checkName(name, 'user event')
    this.checkPayload(payload)
    const event: UserEventMessage = { type: 'user-event', ltime: this.eventClock.time + 1, origin: this.ctx.id, name, payload, coalesce }
    this.checkFits(event)
    event.ltime = this.eventClock.increment()
    this.recentEvents.admit(event.origin, event.ltime, event.ltime, event)
    this.count('event', 'new')
    this.broadcastEvent(event)
    this.ctx.push()
    this.delivered.push(event)
    return event
  }

  /**
   * Starts a query: stamps it, answers it here when this node matches and
   * gossips it. @throws InvalidArgumentError, PayloadTooLargeError
   */
  query (init: QueryInit): QueryMessage {
    checkName(init.name, 'query')
    this.checkPayload(init.payload)
    const filterNodes = [...(init.filterNodes ?? [])]
    if (filterNodes.length > MAX_QUERY_FILTER_NODES) throw new InvalidArgumentError(`a query names at most ${MAX_QUERY_FILTER_NODES} nodes`)
    for (const n of filterNodes) checkName(n, 'filtered node')
    const filterTags = init.filterTags instanceof Map ? new Map(init.filterTags) : new Map(Object.entries(init.filterTags ?? {}))
    if (!Number.isSafeInteger(init.timeoutMs) || init.timeoutMs < 1 || init.timeoutMs > 0xffff_ffff) throw new InvalidArgumentError('a query timeout is a whole number of milliseconds in 1..2³²−1')
    const self = this.ctx.self()
    const query: QueryMessage = {
      type: 'query',
      ltime: this.queryClock.time + 1,
      id: this.ctx.random.int(0, 0xffff_ffff),
      origin: this.ctx.id,
      originAddress: self.address,
      name: init.name,
      payload: init.payload,
      filterNodes,
      filterTags,
      timeoutMs: init.timeoutMs,
      wantAck: init.wantAck === true
    }
    this.checkFits(query)
    query.ltime = this.queryClock.increment()
    this.recentQueries.admit(query.origin, query.id, query.ltime)
    this.count('query', 'new')
    this.ctx.queue.enqueue(`query:${query.origin}:${query.id}`, query, messageSize(query), undefined, USER_RETRANSMIT_SCALE)
    const direct = this.ctx.peers().filter(p => queryMatches(query, p.id, p.tags)).slice(0, MAX_DIRECT_QUERY_TARGETS)
    for (const p of direct) this.ctx.outbox.send(p.address, [query])
    this.ctx.push()
    this.answerIfMatching(query)
    return query
  }

  /**
   * Answers `query` with `payload`, straight to its origin.
   * @throws PayloadTooLargeError for a payload over the limits
   */
  respond (query: QueryMessage, payload: Uint8Array): void {
    this.checkPayload(payload)
    const response: QueryResponseMessage = { type: 'query-response', id: query.id, ltime: query.ltime, from: this.ctx.id, ack: false, payload }
    this.checkFits(response)
    this.remember(query, response)
    this.send(query, response)
  }

  /** A user event from another member. */
  receiveEvent (event: UserEventMessage, gossip = true): void {
    if (!this.eventClock.witness(event.ltime)) { this.count('event', 'stale'); return }
    const admission = this.recentEvents.admit(event.origin, event.ltime, event.ltime, event)
    this.count('event', admission)
    if (admission !== 'new') return
    if (!gossip) { /* it came with a full state: the next push/pull carries it on */ } else if (this.fits(event)) {
      this.broadcastEvent(event)
      this.ctx.push()
    } else this.count('event', 'too-large')
    this.delivered.push(event)
  }

  /** What a push/pull carries of user messages: the events remembered and both clocks. */
  localState (): { events: UserEventMessage[], eventLtime: number, queryLtime: number } {
    return { events: this.recentEvents.values(), eventLtime: this.eventClock.time, queryLtime: this.queryClock.time }
  }

  /**
   * Merges the user messages of a push/pull: both clocks are witnessed and
   * events not seen yet are delivered (Serf's anti-entropy of events) —
   * except on this node's first exchange (`replay` false), whose events
   * happened before it joined: they are only remembered.
   */
  mergeRemote (state: { events?: UserEventMessage[], eventLtime?: number, queryLtime?: number }, replay: boolean): void {
    this.eventClock.witness(state.eventLtime ?? 0)
    this.queryClock.witness(state.queryLtime ?? 0)
    for (const e of state.events ?? []) {
      if (replay) this.receiveEvent(e, false)
      else if (this.eventClock.witness(e.ltime)) this.recentEvents.admit(e.origin, e.ltime, e.ltime, e)
    }
  }

  /** A query from another member: gossiped on, answered when this node matches. */
  receiveQuery (query: QueryMessage): void {
    if (!this.queryClock.witness(query.ltime)) { this.count('query', 'stale'); return }
    const admission: Admission = this.recentQueries.admit(query.origin, query.id, query.ltime)
    this.count('query', admission)
    if (admission === 'duplicate') {
      // Seen before: the origin may be asking again because an answer was lost.
      const kept = this.answers.get(answerKey(query))
      if (kept !== undefined && kept.again < MAX_REANSWERS) {
        kept.again++
        for (const answer of kept.sent) this.send(query, answer)
      }
    }
    if (admission !== 'new') return
    if (this.fits(query)) {
      this.ctx.queue.enqueue(`query:${query.origin}:${query.id}`, query, messageSize(query), undefined, USER_RETRANSMIT_SCALE)
      this.ctx.push()
    } else this.count('query', 'too-large')
    this.answerIfMatching(query)
  }

  /** An ack or response to a query: delivered for the origin's bookkeeping. */
  receiveResponse (response: QueryResponseMessage): void {
    this.count('response', 'new')
    this.delivered.push(response)
  }

  private answerIfMatching (query: QueryMessage): void {
    const self = this.ctx.self()
    if (!queryMatches(query, this.ctx.id, self.tags)) {
      this.count('query', 'filtered')
      return
    }
    if (query.wantAck) {
      const ack: QueryResponseMessage = { type: 'query-response', id: query.id, ltime: query.ltime, from: this.ctx.id, ack: true, payload: new Uint8Array(0) }
      this.remember(query, ack)
      this.send(query, ack)
    }
    this.delivered.push(query)
  }

  /** Keeps `answer` to `query` for a resent query (not the origin's own: it needs no resend). */
  private remember (query: QueryMessage, answer: QueryResponseMessage): void {
    if (query.origin === this.ctx.id) return
    const key = answerKey(query)
    const kept = this.answers.get(key)
    if (kept !== undefined) {
      if (kept.sent.length < 2) kept.sent.push(answer)
      return
    }
    this.answers.set(key, { sent: [answer], again: 0 })
    while (this.answers.size > this.ctx.config.recentUserMessages) {
      const oldest = this.answers.keys().next().value as string
      this.answers.delete(oldest)
    }
  }

  private send (query: QueryMessage, response: QueryResponseMessage): void {
    if (query.origin === this.ctx.id) this.delivered.push(response)
    else this.ctx.outbox.send(query.originAddress, [response])
  }

  /** Queues an event; a coalescing one replaces an older queued event of the same name, never a newer one. */
  private broadcastEvent (event: UserEventMessage): void {
    const key = event.coalesce ? `event:${event.name}` : `event:${event.origin}:${event.ltime}`
    const queued = event.coalesce ? this.ctx.queue.get(key)?.message : undefined
    if (queued !== undefined && queued.type === 'user-event' && queued.ltime > event.ltime) return
    this.ctx.queue.enqueue(key, event, messageSize(event), undefined, USER_RETRANSMIT_SCALE)
  }

  private checkPayload (payload: Uint8Array): void {
    if (!(payload instanceof Uint8Array)) throw new InvalidArgumentError('a payload is bytes (a Uint8Array)')
    const max = this.ctx.config.maxUserPayloadBytes
    if (payload.length > max) throw new PayloadTooLargeError(`a payload of ${payload.length} bytes is over maxUserPayloadBytes (${max})`, payload.length, max)
  }

  private room (): number {
    return this.ctx.outbox.packetBytes - PACKET_HEADER_BYTES
  }

  private fits (m: UserMessage): boolean {
    return packedMessageSize(messageSize(m)) <= this.room()
  }

  private checkFits (m: UserMessage): void {
    const size = packedMessageSize(messageSize(m))
    const room = this.room()
    if (size > room) throw new PayloadTooLargeError(`a ${m.type} of ${size} bytes does not fit in one datagram (${room} bytes after headers and encryption)`, size, room)
  }

  private count (kind: 'event' | 'query' | 'response', result: Admission | 'filtered' | 'too-large'): void {
    this.ctx.counter.inc({ kind, result })
  }
}
