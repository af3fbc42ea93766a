import { InvalidArgumentError, NotStartedError, type Logger, type TimerHandle, type TypedEventEmitter } from '@clusterfunk/core'
import { UnknownNodeError, type MemberInfoEntry, type MessagingCommands, type QueryReplyItem, type QueryRequestInit } from '@clusterfunk/management'
import { queryMatches, type QueryMessage, type QueryResponseMessage, type UserEventMessage } from '@clusterfunk/swim'
import type { SwimPart } from '../cluster/part-types.js'
import type { ClusterEvents } from '../cluster/types.js'
import { EventCoalescer, type FireOptions, type UserEvent } from './events.js'
import { MemberInfoTooLargeError, infoFromTags, infoTags, tagBytes, type MemberInfo } from './member-info.js'
import { MESSAGING_DEFAULTS } from './messaging-constants.js'
import { QueryReplies, TooManyQueriesError, type QueryHandler, type QueryOptions, type QueryReply } from './queries.js'
import { Requests, type RequestsInit } from './requests.js'

/** What the messaging of a node is built from. */
export interface MessagingInit extends RequestsInit {
  logger: Logger
  emitter: TypedEventEmitter<ClusterEvents>
  /** The SWIM tag budget (bytes). */
  maxTagsBytes: () => number
  /** The node's tags without member info, as it would publish them now. */
  baseTags: () => Record<string, string>
  /** Publishes the node's tags (base and info) when it runs. */
  publish: () => void
}

/** Counters of a node's messaging, for tests and metrics. */
export interface MessagingCounters {
  /** Queries seen here that matched but had no handler, or found every handler slot taken. */
  queriesUnanswered: number
  /** Query handlers that threw (answered nothing). */
  queryHandlerFailures: number
  /** Query answers dropped as duplicates, after the end, or beyond the buffer. */
  repliesDropped: number
}

/**
 * Member info, requests, user events and queries of one `Cluster`: member
 * info rides on SWIM tags (`info.<key>`), user events and queries on SWIM
 * gossip (`Swim.fire`, `Swim.query`), requests on the management channel.
 * Attached to the SWIM member of each run; handlers and info outlive runs.
 */
export class ClusterMessaging {
  readonly requests: Requests
  readonly counters: MessagingCounters = { queriesUnanswered: 0, queryHandlerFailures: 0, repliesDropped: 0 }
  private info: Record<string, string> = {}
  private swim: SwimPart | undefined
  private readonly coalescer = new EventCoalescer(MESSAGING_DEFAULTS.eventCoalesceMs, MESSAGING_DEFAULTS.maxCoalescedNames)
  private flushTimer: TimerHandle | undefined
  private readonly queryHandlers = new Map<string, QueryHandler>()
  private readonly pending = new Map<number, QueryReplies>()
  private runningQueryHandlers = 0
  private readonly detachers: Array<() => void> = []

  constructor (private readonly init: MessagingInit) {
    this.requests = new Requests(init)
  }

  // ---- member info ----

  /** This node's info as tags (`info.<key>`), for the node's tag set. */
  infoTags (): Record<string, string> {
    return infoTags(this.info)
  }

  /**
   * Replaces this node's member info and publishes it.
   * @throws InvalidArgumentError for a bad key or value, MemberInfoTooLargeError beyond the tag budget
   */
  setMemberInfo (info: Record<string, string>): void {
    const tags = infoTags(info)
    const size = tagBytes({ ...this.init.baseTags(), ...tags })
    const limit = this.init.maxTagsBytes()
    if (size > limit) throw new MemberInfoTooLargeError(size, limit)
    this.info = { ...info }
    this.init.publish()
  }

  /** The member info of a live member (this node included), or undefined. */
  memberInfo (nodeId: string): MemberInfo | undefined {
    if (this.swim === undefined || this.swim.status !== 'started') return nodeId === this.init.nodeId() ? { ...this.info } : undefined
    const m = this.swim.member(nodeId)
    if (m === undefined || m.status === 'dead' || m.status === 'left') return undefined
    return infoFromTags(m.tags)
  }

  /** The member info of every live member, sorted by id. */
  membersInfo (): Array<{ nodeId: string, info: MemberInfo }> {
    if (this.swim === undefined || this.swim.status !== 'started') return [{ nodeId: this.init.nodeId(), info: { ...this.info } }]
    return this.swim.members().map(m => ({ nodeId: m.id, info: infoFromTags(m.tags) })).sort((a, b) => a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0)
  }

  // ---- runs ----

  /** Listens to the SWIM member of a new run. */
  attach (swim: SwimPart): void {
    this.detach()
    this.swim = swim
    const onEvent = (e: CustomEvent<UserEventMessage>): void => { this.onEvent(e.detail) }
    const onQuery = (e: CustomEvent<QueryMessage>): void => { this.onQuery(e.detail) }
    const onResponse = (e: CustomEvent<QueryResponseMessage>): void => { this.pending.get(e.detail.id)?.push(e.detail) }
    swim.addEventListener('user:event', onEvent)
    swim.addEventListener('user:query', onQuery)
    swim.addEventListener('user:query-response', onResponse)
    this.detachers.push(() => {
      swim.removeEventListener('user:event', onEvent)
      swim.removeEventListener('user:query', onQuery)
      swim.removeEventListener('user:query-response', onResponse)
    })
  }

  /** Stops listening (at stop): queries waiting end, held events are delivered, clients close. */
  detach (): void {
    for (const d of this.detachers.splice(0)) d()
    for (const q of [...this.pending.values()]) q.close()
    this.pending.clear()
    if (this.flushTimer !== undefined) this.init.clock.clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    for (const e of this.coalescer.flush()) this.deliver(e)
    this.requests.close()
    this.swim = undefined
  }

  // ---- user events ----

  /** Fires a user event. @throws NotStartedError, InvalidArgumentError, PayloadTooLargeError (swim's) */
  fire (name: string, payload: Uint8Array, options: FireOptions = {}): UserEvent {
    const e = this.started().fire(name, payload, { coalesce: options.coalesce === true })
    return toEvent(e)
  }

  private onEvent (m: UserEventMessage): void {
    const now = this.init.clock.now()
    for (const e of this.coalescer.add(now, toEvent(m))) this.deliver(e)
    this.armFlush()
  }

  private armFlush (): void {
    const at = this.coalescer.nextAt()
    if (at === Infinity || this.flushTimer !== undefined) return
    this.flushTimer = this.init.clock.setTimeout(() => {
      this.flushTimer = undefined
      for (const e of this.coalescer.due(this.init.clock.now())) this.deliver(e)
      this.armFlush()
    }, Math.max(0, at - this.init.clock.now()))
  }

  private deliver (e: UserEvent): void {
    this.init.emitter.emit('event:user', e)
  }

  // ---- queries ----

  /** Registers the handler that answers queries named `name`, replacing any; returns a function that removes it. */
  handleQuery (name: string, handler: QueryHandler): () => void {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('a query name is a non-empty string')
    if (typeof handler !== 'function') throw new InvalidArgumentError('a query handler is a function')
    this.queryHandlers.set(name, handler)
    return () => { if (this.queryHandlers.get(name) === handler) this.queryHandlers.delete(name) }
  }

  /**
   * Starts a query and returns its answers as they come.
   * @throws NotStartedError, InvalidArgumentError, PayloadTooLargeError (swim's), TooManyQueriesError
   */
  query (name: string, payload: Uint8Array, options: QueryOptions = {}): AsyncIterableIterator<QueryReply> {
    const swim = this.started()
    if (this.pending.size >= MESSAGING_DEFAULTS.maxPendingQueries) throw new TooManyQueriesError(MESSAGING_DEFAULTS.maxPendingQueries)
    const timeoutMs = options.timeoutMs ?? MESSAGING_DEFAULTS.queryTimeoutMs
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw new InvalidArgumentError('a query timeout is a positive whole number of milliseconds')
    const filterNodes = [...(options.filterNodes ?? [])]
    const armed: { timer?: TimerHandle, resend?: TimerHandle } = {}
    const onAbort = (): void => { replies.close() }
    // The answers exist before the query leaves: this node's own answer comes back at once.
    const replies: QueryReplies = new QueryReplies(MESSAGING_DEFAULTS.maxQueryReplies, filterNodes.length > 0 ? new Set(filterNodes) : undefined, () => {
      if (armed.timer !== undefined) this.init.clock.clearTimeout(armed.timer)
      if (armed.resend !== undefined) this.init.clock.clearTimeout(armed.resend)
      options.signal?.removeEventListener('abort', onAbort)
      if (this.pending.get(id) === replies) this.pending.delete(id)
      this.counters.repliesDropped += replies.dropped
    })
    let id = -1
    const pendingEarly: QueryResponseMessage[] = []
    const collect = (e: CustomEvent<QueryResponseMessage>): void => { pendingEarly.push(e.detail) }
    swim.addEventListener('user:query-response', collect)
    let q: QueryMessage
    try {
      q = swim.query({ name, payload, filterNodes, filterTags: options.filterTags ?? {}, timeoutMs, wantAck: true })
    } finally {
      swim.removeEventListener('user:query-response', collect)
    }
    id = q.id
    this.pending.set(id, replies)
    armed.timer = this.init.clock.setTimeout(() => { replies.close() }, timeoutMs)
    const resends = MESSAGING_DEFAULTS.queryResends
    const every = Math.max(1, Math.floor(timeoutMs / (2 * (resends + 1))))
    let left = resends
    const resend = (): void => {
      armed.resend = undefined
      if (replies.done || swim.status !== 'started') return
      const self = this.init.nodeId()
      const missing = swim.members().filter(m => m.id !== self && queryMatches(q, m.id, m.tags) && !replies.heardFrom(m.id)).map(m => m.id)
      if (missing.length > 0) swim.resendQuery(q, missing)
      if (--left > 0) armed.resend = this.init.clock.setTimeout(resend, every)
    }
    if (resends > 0) armed.resend = this.init.clock.setTimeout(resend, every)
    if (options.signal?.aborted === true) replies.close()
    else options.signal?.addEventListener('abort', onAbort, { once: true })
    for (const r of pendingEarly) if (r.id === id) replies.push(r)
    return replies
  }

  private onQuery (q: QueryMessage): void {
    const handler = this.queryHandlers.get(q.name)
    if (handler === undefined || this.runningQueryHandlers >= MESSAGING_DEFAULTS.maxConcurrentQueryHandlers) {
      this.counters.queriesUnanswered++
      return
    }
    const swim = this.swim
    this.runningQueryHandlers++
    const controller = new AbortController()
    const timer = this.init.clock.setTimeout(() => { controller.abort() }, q.timeoutMs)
    Promise.resolve()
      .then(async () => await handler(q.payload, { name: q.name, origin: q.origin, signal: controller.signal }))
      .then(answer => {
        if (controller.signal.aborted || swim === undefined || swim !== this.swim || swim.status !== 'started') return
        swim.respond(q, answer)
      })
      .catch((err: unknown) => {
        this.counters.queryHandlerFailures++
        this.init.logger.debug('query handler failed', { name: q.name, error: err instanceof Error ? err.message : String(err) })
      })
      .finally(() => {
        this.runningQueryHandlers--
        this.init.clock.clearTimeout(timer)
      })
  }

  // ---- the management API's side ----

  /** What the management server asks of messaging (requests, funkctl event, query and info). */
  commands (): Required<MessagingCommands> {
    return {
      handleRequest: async (request, options) => await this.requests.serve(request, options),
      fireEvent: async (name, payload, coalesce) => this.fire(name, payload, { coalesce }).ltime,
      runQuery: (init, options) => this.operatorQuery(init, options.signal),
      memberInfo: async (nodeId) => this.infoEntries(nodeId)
    }
  }

  private async * operatorQuery (init: QueryRequestInit, signal: AbortSignal | undefined): AsyncGenerator<QueryReplyItem> {
    const replies = this.query(init.name, init.payload, {
      ...(init.filterNodes === undefined ? {} : { filterNodes: init.filterNodes }),
      ...(init.filterTags === undefined ? {} : { filterTags: init.filterTags }),
      ...(init.timeoutMs === undefined ? {} : { timeoutMs: init.timeoutMs }),
      ...(signal === undefined ? {} : { signal })
    })
    for await (const r of replies) yield { from: r.from, ack: r.type === 'ack', payload: r.payload }
  }

  private infoEntries (nodeId: string | undefined): MemberInfoEntry[] {
    if (nodeId === undefined) return this.membersInfo().map(m => ({ nodeId: m.nodeId, info: { ...m.info } }))
    const info = this.memberInfo(nodeId)
    if (info === undefined) throw new UnknownNodeError(nodeId, `no live member ${nodeId}`)
    return [{ nodeId, info: { ...info } }]
  }

  private started (): SwimPart {
    const swim = this.swim
    if (swim === undefined || swim.status !== 'started') throw new NotStartedError('the cluster is not started')
    return swim
  }
}

function toEvent (m: UserEventMessage): UserEvent {
  return Object.freeze({ name: m.name, payload: m.payload, ltime: m.ltime, origin: m.origin, coalesce: m.coalesce })
}
