import {
  InvalidArgumentError, InvalidConfigError, NotStartedError, Service, TimeoutError, TypedEventEmitter, createRandom, eventIterator, noopMetrics,
  raceSignal, silentLogger, systemClock, tcpPorts, throwIfAborted, udpPorts, waitFor,
  type AbortOptions, type Clock, type EventHandler, type EventIteratorOptions, type ListenerOptions, type Logger, type Metrics,
  type PacketPorts, type Random, type StreamPorts
} from '@clusterfunk/core'
import { parseAddress } from './address.js'
import type { SwimConfig } from './config.js'
import { SwimDriver } from './driver.js'
import { JoinError, type JoinFailure } from './errors.js'
import type { Keyring, NonceSource } from './keyring.js'
import type { Member, MemberEventType } from './member.js'
import type { QueryMessage, QueryResponseMessage, Tags, UserEventMessage } from './messages.js'
import type { QueryInit } from './user-messages.js'
import { SwimMetrics, type SwimStats } from './swim-metrics.js'
import { DEFAULT_LEAVE_TIMEOUT_MS } from './constants.js'
import { checkTags, resolveSwimInit, type ResolvedSwimInit, type SwimComponents, type SwimInit } from './swim-options.js'

/**
 * The events of a `Swim` node: member events carry the member as it is
 * after the change; `user:event` a user event (this node's own too),
 * `user:query` a query this node matches (answer it with `respond`),
 * `user:query-response` an ack or answer to a query this node started.
 */
export type SwimEvents = { [K in MemberEventType]: Member } & {
  'user:event': UserEventMessage
  'user:query': QueryMessage
  'user:query-response': QueryResponseMessage
}

/** Options of `Swim.fire`. */
export interface FireOptions {
  /** A newer event of the same name may replace this one while both are still spreading. Default false. */
  coalesce?: boolean
}

/** One event as `events()` yields it. */
export interface SwimEventItem {
  type: MemberEventType
  detail: Member
}

const EVENT_TYPES: readonly MemberEventType[] = ['member:join', 'member:update', 'member:suspect', 'member:alive', 'member:failed', 'member:leave', 'member:reap']

/**
 * A SWIM + Lifeguard member on real sockets: a `SwimCore` driven by one
 * timer, a UDP socket for probes and gossip, and a TCP listener on the same
 * port for push/pull, fallback pings and oversized gossip, every byte sealed
 * with AES-256-GCM when keys are given.
 *
 * `start()` binds and starts probing; `join()` contacts existing members;
 * `leave()` announces a graceful exit; `stop()` releases every socket and
 * timer. Membership changes arrive as `member:*` events.
 */
export class Swim extends Service {
  readonly id: string
  /** The protocol config in use (encryption overhead included). */
  readonly config: SwimConfig
  /** The keyring, when encryption is on: add, use and remove keys at runtime. */
  readonly keyring: Keyring | undefined
  private readonly init: ResolvedSwimInit
  private readonly clock: Clock
  private readonly random: Random
  private readonly logger: Logger
  private readonly metricsSink: Metrics
  private readonly metrics: SwimMetrics
  private readonly packets: PacketPorts
  private readonly streams: StreamPorts
  private readonly nonces: NonceSource | undefined
  private readonly emitter = new TypedEventEmitter<SwimEvents>()
  private tags: Map<string, string>
  private driver: SwimDriver | undefined

  /** Throws `InvalidConfigError` naming the option at fault. */
  constructor (components: SwimComponents, init: SwimInit) {
    super()
    if (typeof components !== 'object' || components === null) throw new InvalidConfigError('components', 'must be an object (may be empty)')
    this.init = resolveSwimInit(init)
    this.id = this.init.id
    this.config = this.init.config
    this.keyring = this.init.keyring
    this.tags = this.init.tags
    this.clock = components.clock ?? systemClock
    this.random = components.random ?? createRandom()
    this.logger = components.logger ?? silentLogger('swim')
    this.metricsSink = components.metrics ?? noopMetrics
    this.metrics = new SwimMetrics(this.metricsSink)
    this.packets = components.packets ?? udpPorts
    this.streams = components.streams ?? tcpPorts
    this.nonces = components.nonces
  }

  /** The advertised `host:port`. Throws `NotStartedError` before `start()`. */
  address (): string {
    return this.localMember().address
  }

  /** The bound port (UDP and TCP). Throws `NotStartedError` before `start()`. */
  port (): number {
    return this.requireDriver().port
  }

  /** Live members (alive or suspect), this node included. */
  members (): Member[] {
    return this.requireDriver().core.members().filter(m => m.status === 'alive' || m.status === 'suspect')
  }

  /** Every member known, tombstones (dead, left) included. */
  allMembers (): Member[] {
    return this.requireDriver().core.members()
  }

  /** One member by id, tombstones included; undefined when unknown. */
  member (id: string): Member | undefined {
    return this.requireDriver().core.member(id)
  }

  /** This node as others see it. */
  localMember (): Member {
    return this.requireDriver().core.member(this.id) as Member
  }

  /** Lifeguard's local health score (0 healthy). */
  healthScore (): number {
    return this.requireDriver().core.healthScore
  }

  /** Traffic counts since construction: bytes, datagrams, drops by transport and reason. */
  stats (): SwimStats {
    return this.metrics.snapshot()
  }

  addEventListener<K extends keyof SwimEvents & string>(type: K, listener: EventHandler<SwimEvents[K]>, options?: ListenerOptions): void {
    this.emitter.addEventListener(type, listener, options)
  }

  removeEventListener<K extends keyof SwimEvents & string>(type: K, listener: EventHandler<SwimEvents[K]>): void {
    this.emitter.removeEventListener(type, listener)
  }

  /** Every member event from now on, buffered, until `signal` fires or the loop breaks. */
  events (options: EventIteratorOptions = {}): AsyncIterableIterator<SwimEventItem> {
    return eventIterator(this.emitter, EVENT_TYPES, options)
  }

  /**
   * Runs a join push/pull with every address (`host:port`) at once and
   * resolves with how many succeeded, once all are settled (each is bounded
   * by `tcpTimeoutMs`). Rejects with `JoinError` (listing each failure) when
   * none could be reached, and with `AbortError` when `signal` fires first.
   */
  async join (addresses: readonly string[], options: AbortOptions = {}): Promise<number> {
    const driver = this.requireDriver()
    if (!Array.isArray(addresses) || addresses.length === 0) throw new InvalidArgumentError('join needs at least one host:port address')
    for (const a of addresses) if (parseAddress(a) === undefined) throw new InvalidArgumentError(`not a host:port address: ${String(a)}`)
    throwIfAborted(options.signal)
    const incarnation = this.localMember().incarnation
    const results = await raceSignal(Promise.allSettled(addresses.map(async a => { await driver.pushPull(a, true) })), options.signal)
    const failures: JoinFailure[] = []
    const answered: string[] = []
    results.forEach((r, i) => {
      if (r.status === 'rejected') failures.push({ address: addresses[i] as string, error: r.reason instanceof Error ? r.reason : new Error(String(r.reason)) })
      else answered.push(addresses[i] as string)
    })
    if (failures.length === addresses.length) throw new JoinError(failures)
    if (this.localMember().incarnation > incarnation) {
      // A node restarting under its old name: the cluster remembered it at a higher incarnation (suspect or
      // dead), so the state this join sent was ignored, and this node has just refuted it. Hand the refutation
      // to the same peers at once rather than leave it to gossip, which may miss them for seconds.
      await raceSignal(Promise.allSettled(answered.map(async a => { await driver.pushPull(a, true) })), options.signal)
    }
    return answered.length
  }

  /**
   * Leaves gracefully: gossips that this node left and waits until the
   * message was sent its full number of times (or there was no one to
   * tell), at most `timeoutMs` (default 5 s on the node's clock). Resolves true when
   * it spread, false on timeout. Keep the node started until this resolves,
   * then stop it.
   */
  async leave (options: AbortOptions & { timeoutMs?: number } = {}): Promise<boolean> {
    const driver = this.requireDriver()
    driver.act((core, now) => { core.leave(now) })
    try {
      await waitFor(() => driver.core.leaveBroadcastDone, { clock: this.clock, timeoutMs: options.timeoutMs ?? DEFAULT_LEAVE_TIMEOUT_MS, what: 'the leave to spread', ...(options.signal === undefined ? {} : { signal: options.signal }) })
      return true
    } catch (err) {
      if (err instanceof TimeoutError) return false
      throw err
    }
  }

  /**
   * Publishes new tags, raising this node's incarnation; before `start()`,
   * sets the tags it starts with. Throws `InvalidArgumentError` when they
   * exceed `maxTagsBytes` (4 KiB) or after `leave()`.
   */
  setTags (tags: Tags | Record<string, string>): void {
    let next: Map<string, string>
    try {
      next = checkTags('tags', tags, this.config.maxTagsBytes)
    } catch (err) {
      if (err instanceof InvalidConfigError) throw new InvalidArgumentError(err.message)
      throw err
    }
    if (this.driver !== undefined && this.status === 'started') this.driver.act((core, now) => { core.setTags(now, next) })
    this.tags = next
  }

  /**
   * Fires a user event (Serf's `serf event`): Lamport-stamped, gossiped to
   * every member, de-duplicated there and emitted as `user:event` on each
   * (this node included). Throws `NotStartedError`, `InvalidArgumentError`
   * (bad name, after `leave()`) or `PayloadTooLargeError` (over
   * `maxUserPayloadBytes`, or not fitting in one datagram).
   */
  fire (name: string, payload: Uint8Array, options: FireOptions = {}): UserEventMessage {
    const driver = this.requireDriver()
    let event: UserEventMessage | undefined
    driver.act((core, now) => { event = core.fireEvent(now, name, payload, options.coalesce === true) })
    return event as UserEventMessage
  }

  /**
   * Starts a query: gossiped like an event; each member that passes its
   * filters (this one included) emits `user:query` and answers with
   * `respond`; the answers come back here as `user:query-response`, matched
   * by the returned query's `id`. Throws like `fire`.
   */
  query (init: QueryInit): QueryMessage {
    const driver = this.requireDriver()
    let query: QueryMessage | undefined
    driver.act((core, now) => { query = core.query(now, init) })
    return query as QueryMessage
  }

  /** Sends this node's `query` again straight to each of `nodes` that is a live member (a retry for those that have not acked). */
  resendQuery (query: QueryMessage, nodes: readonly string[]): void {
    const driver = this.requireDriver()
    driver.act((core, now) => { core.resendQuery(now, query, nodes) })
  }

  /** Answers `query` (from `user:query`) with `payload`, in a datagram to its origin. Throws `NotStartedError`, `PayloadTooLargeError`. */
  respond (query: QueryMessage, payload: Uint8Array): void {
    const driver = this.requireDriver()
    driver.act((core, now) => { core.respond(now, query, payload) })
  }

  protected async onStart (): Promise<void> {
    this.driver = await SwimDriver.start({
      options: this.init,
      tags: this.tags,
      clock: this.clock,
      random: this.random,
      logger: this.logger,
      packets: this.packets,
      streams: this.streams,
      nonces: this.nonces,
      metricsSink: this.metricsSink,
      metrics: this.metrics,
      emit: (e) => { this.emitter.emit(e.type, e.member) },
      deliver: (m) => {
        if (m.type === 'user-event') this.emitter.emit('user:event', m)
        else if (m.type === 'query') this.emitter.emit('user:query', m)
        else this.emitter.emit('user:query-response', m)
      }
    })
    this.logger.debug('started', { id: this.id, port: this.driver.port })
  }

  protected async onStop (): Promise<void> {
    await this.driver?.stop()
  }

  private requireDriver (): SwimDriver {
    if (this.driver === undefined || this.status === 'stopped' || this.status === 'starting') throw new NotStartedError('swim is not started')
    return this.driver
  }
}
