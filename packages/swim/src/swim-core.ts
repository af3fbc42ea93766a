import { INCARNATIONS, InvalidArgumentError, InvalidConfigError, inRange, noopMetrics, silentLogger, type Counter, type Gauge, type Logger, type Metrics, type Random } from '@clusterfunk/core'
import { Awareness } from './awareness.js'
import { BroadcastQueue } from './broadcast-queue.js'
import { lanConfig, validateConfig, type SwimConfig } from './config.js'
import { snapshot, type Member } from './member.js'
import { Membership } from './membership.js'
import { numbersInRange, tagsSize, type AckMessage, type BroadcastMessage, type PingMessage, type PushPullState, type MemberStatus, type QueryMessage, type SwimMessage, type Tags, type UserEventMessage } from './messages.js'
import { Outbox } from './outbox.js'
import type { SwimOutput } from './outputs.js'
import { Prober } from './prober.js'
import { pushPullInterval, retransmitLimit } from './scaling.js'
import { UserMessages, type QueryInit } from './user-messages.js'

/** What a `SwimCore` is built from. */
export interface SwimCoreInit {
  /** This node's name, unique in the cluster. */
  id: string
  /** Where others reach this node (opaque to the core). */
  address: string
  /** Serf-style tags to publish; at most `config.maxTagsBytes` in total. */
  tags?: Tags | Record<string, string>
  /** Protocol timing; default `lanConfig`. Validated at construction. */
  config?: SwimConfig
  /** All randomness of the core: probe order, relays, gossip targets, staggering. */
  random: Random
  logger?: Logger
  metrics?: Metrics
}

function toMap (tags: Tags | Record<string, string> | undefined): Map<string, string> {
  if (tags === undefined) return new Map()
  return tags instanceof Map ? new Map(tags) : new Map(Object.entries(tags))
}

/**
 * The SWIM + Lifeguard membership protocol as a synchronous state machine.
 * It does no I/O and reads no clock: the driver passes `now` (milliseconds
 * on any monotonic clock) into every input, sends what `drain()` returns,
 * and calls `tick` again at `nextTickAt`.
 *
 * Inputs: `tick`, `receive` (datagrams), `fallbackPingResult`, `join`,
 * `leave`, `setTags`, `mergeRemoteState`. Outputs, from `drain()`: packets
 * (direct messages with piggybacked broadcasts, packed to the packet size),
 * stream requests (TCP fallback pings, push/pull, oversized broadcasts) and
 * member events. Not thread-safe by design: call it from one place.
 */
export class SwimCore {
  readonly id: string
  readonly config: SwimConfig
  private readonly random: Random
  private readonly awareness: Awareness
  private readonly queue = new BroadcastQueue<BroadcastMessage>()
  private readonly outbox: Outbox
  private readonly membership: Membership
  private readonly prober: Prober
  private readonly user: UserMessages
  private started = false
  /** False until the first push/pull state was merged: the user events it brings happened before this node joined. */
  private mergedState = false
  private nextGossipAt = Infinity
  private nextPushPullAt = Infinity
  private nextReconnectAt = Infinity
  private readonly received: Counter
  private readonly dropped: Counter
  private readonly probes: Counter
  private readonly health: Gauge

  /** Throws `InvalidConfigError` for a bad config, an empty id or address, or tags over the limit. */
  constructor (init: SwimCoreInit) {
    const config = validateConfig({ ...(init.config ?? lanConfig) })
    if (typeof init.id !== 'string' || init.id === '') throw new InvalidConfigError('id', 'must be a non-empty string')
    if (typeof init.address !== 'string' || init.address === '') throw new InvalidConfigError('address', 'must be a non-empty string')
    const tags = toMap(init.tags)
    if (tagsSize(tags) > config.maxTagsBytes) throw new InvalidConfigError('tags', `must total at most ${config.maxTagsBytes} bytes`)
    this.id = init.id
    this.config = config
    this.random = init.random
    const logger = init.logger ?? silentLogger('swim')
    const metrics = init.metrics ?? noopMetrics
    this.received = metrics.counter({ name: 'clusterfunk_swim_messages_received_total', help: 'SWIM messages received, by type', labelNames: ['type'] })
    this.dropped = metrics.counter({ name: 'clusterfunk_swim_messages_dropped_total', help: 'SWIM messages ignored, by reason', labelNames: ['reason'] })
    this.probes = metrics.counter({ name: 'clusterfunk_swim_probes_total', help: 'Probes finished, by result', labelNames: ['result'] })
    this.health = metrics.gauge({ name: 'clusterfunk_swim_health_score', help: 'Lifeguard local health score (0 is healthy)' })
    this.awareness = new Awareness(config.awarenessMaxMultiplier)
    this.outbox = new Outbox(this.queue, config.udpPacketSize - config.packetOverheadBytes, () => retransmitLimit(config.retransmitMult, this.membership.size))
    this.membership = new Membership({
      config,
      awareness: this.awareness,
      queue: this.queue,
      outbox: this.outbox,
      logger,
      onAdded: (id) => { this.prober.add(id) },
      onDropped: (reason) => { this.dropped.inc({ reason }) }
    }, { id: init.id, address: init.address, status: 'alive', incarnation: 1, tags, statusChangedAt: 0 })
    this.prober = new Prober({
      config,
      random: this.random,
      awareness: this.awareness,
      membership: this.membership,
      outbox: this.outbox,
      onProbeDone: (result) => { this.probes.inc({ result }) }
    })
    this.user = new UserMessages({
      config,
      id: init.id,
      random: this.random,
      queue: this.queue,
      outbox: this.outbox,
      self: () => ({ address: this.membership.self.address, tags: this.membership.self.tags }),
      counter: metrics.counter({ name: 'clusterfunk_swim_user_messages_total', help: 'User events, queries and query responses handled, by kind and result', labelNames: ['kind', 'result'] }),
      push: () => { this.pushGossip() },
      peers: () => this.membership.live().filter(m => m.status === 'alive' || m.status === 'suspect')
    })
  }

  /**
   * Runs every timer that is due at `now`: probe steps, relay nacks,
   * suspicion timeouts, tombstone reaping, gossip, push/pull and reconnects. The first
   * call starts the clocks (each staggered randomly within its interval).
   */
  tick (now: number): void {
    if (!this.started) {
      this.started = true
      this.prober.start(now)
      this.nextGossipAt = now + Math.floor(this.random.float() * this.config.gossipIntervalMs)
      const pushPull = this.config.pushPullIntervalMs
      this.nextPushPullAt = pushPull > 0 ? now + Math.floor(this.random.float() * pushPull) : Infinity
      const reconnect = this.config.reconnectIntervalMs
      this.nextReconnectAt = reconnect > 0 ? now + Math.floor(this.random.float() * reconnect) : Infinity
    }
    this.membership.tick(now)
    this.prober.tick(now)
    if (now >= this.nextGossipAt) {
      this.nextGossipAt = now + this.config.gossipIntervalMs
      this.gossip(now)
    }
    if (now >= this.nextPushPullAt) {
      this.nextPushPullAt = now + pushPullInterval(this.config.pushPullIntervalMs, this.membership.size)
      const peers = this.membership.live().filter(m => m.status === 'alive')
      if (peers.length > 0 && !this.membership.hasLeft) {
        this.outbox.request({ kind: 'push-pull', to: this.random.pick(peers).address, join: false })
      }
    }
    if (now >= this.nextReconnectAt) {
      this.nextReconnectAt = now + this.config.reconnectIntervalMs
      this.reconnect(now)
    }
    this.health.set(this.awareness.score)
  }

  /**
   * Handles a message that arrived from `from` (the sender's address) by UDP,
   * or by stream for oversized broadcasts. Messages of no use are ignored.
   */
  receive (now: number, from: string, message: SwimMessage): void {
    this.received.inc({ type: message.type })
    if (message.type === 'compound') {
      for (const m of message.messages) {
        if ((m.type as string) === 'compound') this.dropped.inc({ reason: 'nested-compound' })
        else this.receive(now, from, m)
      }
      return
    }
    if (!numbersInRange(message)) {
      this.dropped.inc({ reason: 'out-of-range' })
      return
    }
    switch (message.type) {
      case 'ping': this.prober.handlePing(from, message); return
      case 'indirect-ping': this.prober.handleIndirectPing(now, from, message); return
      case 'ack': this.prober.handleAck(message); return
      case 'nack': this.prober.handleNack(message); return
      case 'alive': this.membership.applyAlive(now, message); return
      case 'suspect': this.membership.applySuspect(now, message); return
      case 'dead': this.membership.applyDead(now, message); return
      case 'user-event': this.user.receiveEvent(message); return
      case 'query': this.user.receiveQuery(message); return
      case 'query-response': this.user.receiveResponse(message)
    }
  }

  /**
   * Fires a user event: stamped with this node's event Lamport time,
   * delivered here and gossiped to every member. Throws
   * `InvalidArgumentError` for a bad name or after `leave`, and
   * `PayloadTooLargeError` when the payload is over `maxUserPayloadBytes`
   * or the event does not fit in one datagram.
   */
  fireEvent (_now: number, name: string, payload: Uint8Array, coalesce = false): UserEventMessage {
    if (this.membership.hasLeft) throw new InvalidArgumentError('cannot fire an event after leave')
    return this.user.fire(name, payload, coalesce)
  }

  /**
   * Starts a query: gossiped like an event; every matching member
   * (this one included) gets it in `drain().user` and answers with
   * `respond`; answers come back here as `query-response` messages.
   * Throws like `fireEvent`.
   */
  query (_now: number, init: QueryInit): QueryMessage {
    if (this.membership.hasLeft) throw new InvalidArgumentError('cannot query after leave')
    return this.user.query(init)
  }

  /**
   * Sends this node's `query` again, straight to each of `nodes` that is a
   * live member (a retry for members that have not acked: gossip may have
   * missed them). Receivers that have it already drop it as a duplicate.
   */
  resendQuery (_now: number, query: QueryMessage, nodes: readonly string[]): void {
    if (query.origin !== this.id) throw new InvalidArgumentError('only the origin resends a query')
    for (const id of nodes) {
      const m = this.membership.get(id)
      if (m === undefined || id === this.id || (m.status !== 'alive' && m.status !== 'suspect')) continue
      this.outbox.send(m.address, [query])
    }
  }

  /** Answers `query` with `payload` in a datagram to its origin. Throws `PayloadTooLargeError`. */
  respond (_now: number, query: QueryMessage, payload: Uint8Array): void {
    this.user.respond(query, payload)
  }

  /** The event and query Lamport clocks' current times. */
  get userClocks (): { event: number, query: number } {
    return { event: this.user.eventClock.time, query: this.user.queryClock.time }
  }

  /** The ack for a ping that came over a stream (TCP fallback), or undefined when it is meant for another node. */
  answerStreamPing (ping: PingMessage): AckMessage | undefined {
    if (!numbersInRange(ping)) {
      this.dropped.inc({ reason: 'out-of-range' })
      return undefined
    }
    return this.prober.answer(ping)
  }

  /**
   * Reports the outcome of a `FallbackPingRequest` (matched by the ping's
   * seq): `acked`, or not; `refused` when the connection was refused (the
   * member's port is closed), which suspects the member at once.
   */
  fallbackPingResult (now: number, seq: number, acked: boolean, refused = false): void {
    this.prober.fallbackResult(now, seq, acked, refused)
  }

  /** Asks the driver for a join push/pull with each of `addresses`. */
  join (_now: number, addresses: readonly string[]): void {
    for (const to of addresses) this.outbox.request({ kind: 'push-pull', to, join: true })
  }

  /**
   * Leaves gracefully: marks this node left and gossips it. The driver keeps
   * ticking and sending until `leaveBroadcastDone` (or its own timeout), then
   * stops. Probing and push/pull stop at once.
   */
  leave (now: number): void {
    this.membership.leave(now)
  }

  /** True once the leave was sent its full number of times, or there was no one to tell. */
  get leaveBroadcastDone (): boolean {
    return this.membership.leaveBroadcastDone
  }

  /**
   * Publishes new tags: raises this node's incarnation and gossips an alive
   * message. Throws `InvalidArgumentError` when they exceed `maxTagsBytes`
   * or after `leave`, and `CounterExhaustedError` when this node's
   * incarnation is at the end of its range.
   */
  setTags (_now: number, tags: Tags | Record<string, string>): void {
    const next = toMap(tags)
    if (tagsSize(next) > this.config.maxTagsBytes) throw new InvalidArgumentError(`tags must total at most ${this.config.maxTagsBytes} bytes`)
    if (this.membership.hasLeft) throw new InvalidArgumentError('cannot set tags after leave')
    this.membership.setTags(next)
  }

  /** This node's full view, to send in a push/pull exchange. */
  localState (join = false): PushPullState {
    return {
      join,
      members: this.membership.all().map(m => ({ node: m.id, address: m.address, incarnation: m.incarnation, status: m.status, tags: new Map(m.tags) })),
      ...this.user.localState()
    }
  }

  /**
   * Merges the view another node sent in a push/pull exchange: alive news
   * is applied as alive, left as left, and dead or suspect only as a
   * suspicion (a node is not declared dead on second-hand full state).
   */
  mergeRemoteState (now: number, state: PushPullState): void {
    let namesSelf = false
    for (const m of state.members) {
      if (!inRange(INCARNATIONS, m.incarnation)) {
        this.dropped.inc({ reason: 'out-of-range' })
        continue
      }
      if (m.node === this.id) namesSelf = true
      switch (m.status) {
        case 'alive':
          this.membership.applyAlive(now, { type: 'alive', node: m.node, incarnation: m.incarnation, address: m.address, tags: m.tags }, true)
          break
        case 'left':
          this.membership.applyDead(now, { type: 'dead', node: m.node, incarnation: m.incarnation, from: m.node }, true)
          break
        case 'dead':
        case 'suspect':
          this.membership.applySuspect(now, { type: 'suspect', node: m.node, incarnation: m.incarnation, from: this.id }, true)
      }
    }
    if (namesSelf) this.membership.closeSelfBaseline()
    this.user.mergeRemote(state, this.mergedState)
    this.mergedState = true
  }

  /** How many members are known in each status, this node and tombstones included; no snapshot is taken. */
  statusCounts (): Record<MemberStatus, number> {
    return this.membership.statusCounts()
  }

  /** Every member known, this node and tombstones included, as snapshots. */
  members (): Member[] {
    return this.membership.all().map(snapshot)
  }

  /** One member's snapshot, or undefined when unknown (or reaped). */
  member (id: string): Member | undefined {
    const m = this.membership.get(id)
    return m === undefined ? undefined : snapshot(m)
  }

  /** The Lifeguard local health score: 0 healthy, up to awarenessMaxMultiplier − 1. */
  get healthScore (): number {
    return this.awareness.score
  }

  /** Broadcasts waiting in the queue (one at most per member). */
  get pendingBroadcasts (): number {
    return this.queue.length
  }

  /** The `now` at which `tick` next has work; 0 before the first tick. */
  nextTickAt (): number {
    if (!this.started) return 0
    return Math.min(this.nextGossipAt, this.nextPushPullAt, this.nextReconnectAt, this.prober.nextDeadline(), this.membership.nextDeadline())
  }

  /** Everything produced since the last drain: packets, stream requests, events, and when to tick next. */
  drain (): SwimOutput {
    return { ...this.outbox.take(), user: this.user.take(), nextTickAt: this.nextTickAt() }
  }

  /**
   * Serf's reconnect: with probability failed / live members (at most 1),
   * asks for a join push/pull with one failed member picked at random. Over
   * a cluster that is about one attempt per failed member per interval.
   * A member that answers learns it was declared dead and refutes; its
   * reply brings it (and what it knows) back through the normal rules.
   */
  private reconnect (now: number): void {
    if (this.membership.hasLeft) return
    const failed = this.membership.failed(now)
    if (failed.length === 0) return
    const live = this.membership.live().length + 1
    if (!this.random.chance(failed.length / live)) return
    this.outbox.request({ kind: 'push-pull', to: this.random.pick(failed).address, join: true, reconnect: true })
  }

  /**
   * A gossip round outside the schedule, to live members only: a new user
   * event or query is pushed on as it arrives, so it crosses the cluster in
   * a few network hops rather than a few gossip intervals. The queue's
   * transmit limit still bounds how often it is sent.
   */
  private pushGossip (): void {
    if (this.membership.hasLeft) return
    const live = this.membership.live().filter(m => m.status === 'alive' || m.status === 'suspect')
    for (const t of this.random.shuffle(live).slice(0, this.config.gossipNodes)) {
      if (!this.outbox.send(t.address, [])) break
    }
  }

  private gossip (now: number): void {
    const dead = this.config.gossipToTheDeadTimeMs
    const candidates = this.membership.all().filter(m => m.id !== this.id &&
      (m.status === 'alive' || m.status === 'suspect' || now - m.statusChangedAt <= dead))
    const targets = this.random.shuffle(candidates).slice(0, this.config.gossipNodes)
    for (const t of targets) {
      this.outbox.sendOversize(t.address)
      if (!this.outbox.send(t.address, [])) break
    }
  }
}
