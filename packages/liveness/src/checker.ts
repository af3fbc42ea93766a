import { isIP } from 'node:net'
import {
  InvalidArgumentError, LocalHealthMonitor, NotStartedError, Service, TypedEventEmitter, createRandom, eventIterator, noopMetrics, silentLogger, systemClock, udpPorts,
  type Clock, type Counter, type LocalHealth, type EventHandler, type EventIteratorOptions, type Gauge, type Histogram, type ListenerOptions,
  type Logger, type Metrics, type PacketPort, type PacketPorts, type PortAddress, type Random, type TimerHandle
} from '@clusterfunk/core'
import { RTT_BUCKETS_SECONDS, TICK_MS } from './constants.js'
import { resolveCheckerInit, type LivenessCheckerInit, type ResolvedCheckerInit } from './checker-init.js'
import { DropCounter, type DropCounts } from './drops.js'
import type { LivenessEventItem, LivenessEvents, NodeAddress, NodeStatus } from './events.js'
import { checkNodeAddress, nodeIdBytes } from './options.js'
import { KIND_PROBE, KIND_REPLY, createPacketView, decodePacket, packetTemplate, sealPacket, verifyPacket, writeFreshness, writeNonce } from './packet.js'
import { LivenessTracker, type TrackedNode } from './tracker.js'

export type { LivenessCheckerInit } from './checker-init.js'

/** What the checker takes from outside. Every field is optional. */
export interface LivenessCheckerComponents {
  /** Timers, `defer` and time. Default `systemClock`. */
  clock?: Clock
  /** Where its socket comes from. Default `udpPorts` (real UDP); a simulation passes its host's. */
  packets?: PacketPorts
  random?: Random
  logger?: Logger
  metrics?: Metrics
  /**
   * This process's local health: how long it was recently kept from running.
   * A stalled checker waits that much longer for each probe before counting a
   * miss. Default: the checker's own `LocalHealthMonitor` on its clock,
   * running between start() and stop(); a node shares one across its parts.
   */
  health?: LocalHealth
}

/** Counts of a checker's traffic since construction. */
export interface LivenessCheckerStats {
  probesSent: number
  replies: number
  timeouts: number
  dropped: DropCounts
}

/**
 * Probes every added node's liveness endpoint once per interval over one UDP
 * socket and reports verdicts as events: `node:dead` once a node misses
 * `retries` consecutive probes, `node:alive` once it answers again (or for
 * the first time). A newly added node is `unknown` and gets no event until
 * one of those happens. Nodes can be added and removed at any time, started
 * or not; probing runs between `start()` and `stop()`. The verdict rules live
 * in `LivenessTracker`; this class is the socket and timer around it.
 * Listeners run synchronously inside the checker's I/O callbacks: keep them
 * quick, or read through `events()`.
 */
export class LivenessChecker extends Service {
  private readonly init: ResolvedCheckerInit
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly emitter = new TypedEventEmitter<LivenessEvents>()
  private readonly tracker: LivenessTracker<Buffer>
  private readonly family: 4 | 6
  private readonly view = createPacketView()
  private readonly drops: DropCounter
  private readonly probeCounter: Counter
  private readonly replyCounter: Counter
  private readonly timeoutCounter: Counter
  private readonly rttHistogram: Histogram
  private readonly deadGauge: Gauge
  private readonly packets: PacketPorts
  private readonly health: LocalHealth
  /** The monitor this checker started itself (none when the caller gave `health`). */
  private readonly ownMonitor: LocalHealthMonitor | undefined
  private socket: PacketPort | undefined
  private bound: NodeAddress | undefined
  private timer: TimerHandle | undefined
  private timerAt = Infinity
  private deferred: TimerHandle | undefined
  private counts = { probesSent: 0, replies: 0, timeouts: 0 }
  /** Keyed probes: this checker's random id (not both halves 0) and the last send time stamped, strictly increasing. */
  private readonly checkerLo: number
  private readonly checkerHi: number
  private lastSentAtMs = 0

  constructor (components: LivenessCheckerComponents = {}, init: LivenessCheckerInit = {}) {
    super()
    this.init = resolveCheckerInit(init)
    this.family = isIP(this.init.host) === 6 ? 6 : 4
    this.clock = components.clock ?? systemClock
    this.packets = components.packets ?? udpPorts
    this.ownMonitor = components.health === undefined ? new LocalHealthMonitor(this.clock) : undefined
    this.health = components.health ?? this.ownMonitor as LocalHealthMonitor
    this.logger = components.logger ?? silentLogger('liveness:checker')
    const metrics = components.metrics ?? noopMetrics
    this.drops = new DropCounter(metrics, 'clusterfunk_liveness_dropped_packets_total', 'Datagrams the liveness checker dropped, by reason')
    this.probeCounter = metrics.counter({ name: 'clusterfunk_liveness_probes_sent_total', help: 'Liveness probes sent' })
    this.replyCounter = metrics.counter({ name: 'clusterfunk_liveness_replies_total', help: 'Valid liveness replies received' })
    this.timeoutCounter = metrics.counter({ name: 'clusterfunk_liveness_timeouts_total', help: 'Liveness probes that timed out' })
    this.rttHistogram = metrics.histogram({ name: 'clusterfunk_liveness_rtt_seconds', help: 'Round trip of liveness probes, in seconds', buckets: RTT_BUCKETS_SECONDS })
    this.deadGauge = metrics.gauge({ name: 'clusterfunk_liveness_dead_nodes', help: 'Tracked nodes currently dead' })
    const random = components.random ?? createRandom()
    this.checkerHi = random.uint32()
    this.checkerLo = random.uint32() || 1
    this.tracker = new LivenessTracker<Buffer>(this.init, random, {
      probe: this.sendProbe,
      timeout: () => { this.counts.timeouts++; this.timeoutCounter.inc() },
      dead: e => { this.deadGauge.set(this.tracker.deadCount); this.emitter.emit('node:dead', e) },
      alive: e => { this.deadGauge.set(this.tracker.deadCount); this.emitter.emit('node:alive', e) }
    })
  }

  /**
   * Starts watching `id` at `address` (an IP literal of the checker's family
   * and a port). Adding an id again with the same address does nothing; with
   * a new address the node starts over as `unknown`. Its first probe goes
   * out at a random phase of the interval (probes of nodes added together
   * spread out), or at once with `probeNow` (one node joining, whose first
   * answer someone waits for). Throws `InvalidArgumentError` for a bad id or
   * address.
   */
  add (id: string, address: NodeAddress, options: { probeNow?: boolean } = {}): void {
    const idBytes = nodeIdBytes(id, m => new InvalidArgumentError(`node id ${m}`))
    checkNodeAddress(address, this.family)
    if (this.tracker.add(id, address, packetTemplate(KIND_PROBE, idBytes), this.clock.now(), options.probeNow === true)) {
      this.deadGauge.set(this.tracker.deadCount)
      // A probe due now goes out in this turn of the event loop, not after the timer's minimum tick.
      if (options.probeNow === true && this.socket !== undefined) this.deferred ??= this.clock.defer(this.onTick)
      else this.arm(this.clock.now())
    }
  }

  /** Stops watching `id` (no event). Returns whether it was watched. */
  remove (id: string): boolean {
    const removed = this.tracker.remove(id)
    if (removed) this.deadGauge.set(this.tracker.deadCount)
    return removed
  }

  /** Stops watching every node. */
  clear (): void {
    this.tracker.clear()
    this.deadGauge.set(0)
  }

  /**
   * What the checker believes of `id`, or undefined if it does not watch it.
   * (Named `nodeStatus` because `status` is the service's own state.)
   */
  nodeStatus (id: string): NodeStatus | undefined {
    return this.tracker.status(id)
  }

  /** Every watched node. */
  nodes (): NodeStatus[] {
    return this.tracker.nodes()
  }

  /** The socket's bound address (probes leave from it). Throws `NotStartedError` when not started. */
  address (): NodeAddress {
    if (this.bound === undefined) throw new NotStartedError('the liveness checker is not started')
    return { ...this.bound }
  }

  /** Counts since construction. */
  stats (): LivenessCheckerStats {
    return { ...this.counts, dropped: this.drops.snapshot() }
  }

  addEventListener<K extends keyof LivenessEvents & string>(type: K, listener: EventHandler<LivenessEvents[K]>, options?: ListenerOptions): void {
    this.emitter.addEventListener(type, listener, options)
  }

  removeEventListener<K extends keyof LivenessEvents & string>(type: K, listener: EventHandler<LivenessEvents[K]>): void {
    this.emitter.removeEventListener(type, listener)
  }

  /** Verdicts as an async iterable (`node:dead` and `node:alive`), buffered from this call until `signal` fires or the loop breaks. */
  events (options: EventIteratorOptions = {}): AsyncIterableIterator<LivenessEventItem> {
    return eventIterator(this.emitter, ['node:dead', 'node:alive'], options) as AsyncIterableIterator<LivenessEventItem>
  }

  protected async onStart (): Promise<void> {
    const socket = await this.packets.bind(this.init.host, this.init.port)
    this.socket = socket
    socket.onMessage(this.onMessage)
    socket.onError(this.onError)
    this.bound = { ...socket.address }
    this.ownMonitor?.start()
    const now = this.clock.now()
    this.tracker.reschedule(now)
    this.arm(now)
  }

  protected async onStop (): Promise<void> {
    this.ownMonitor?.stop()
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = Infinity
    if (this.deferred !== undefined) this.clock.clearTimeout(this.deferred)
    this.deferred = undefined
    const socket = this.socket
    this.socket = undefined
    this.bound = undefined
    await socket?.close()
  }

  /** Makes sure the one timer fires no later than `due` (and no sooner than a tick from now). */
  private arm (due: number): void {
    if (this.socket === undefined || due === Infinity) return
    const at = Math.max(due, this.clock.now() + TICK_MS)
    if (this.timer !== undefined) {
      if (this.timerAt <= at) return
      this.clock.clearTimeout(this.timer)
    }
    this.timerAt = at
    this.timer = this.clock.setTimeout(this.onTimer, at - this.clock.now())
  }

  // Judging is deferred (`Clock.defer`: setImmediate on real time, after the
  // poll phase): replies that queued up while this process was busy are read
  // before their probes count as missed. stop() cancels it.
  private readonly onTimer = (): void => {
    this.timer = undefined
    this.timerAt = Infinity
    this.deferred ??= this.clock.defer(this.onTick)
  }

  private readonly onTick = (): void => {
    this.deferred = undefined
    if (this.socket === undefined) return
    this.arm(this.tracker.tick(this.clock.now(), this.health.recentDelayMs()))
  }

  private readonly sendProbe = (node: TrackedNode<Buffer>): void => {
    // A fresh buffer per probe: a datagram may still be queued when the next
    // probe of the node is written, so the template is copied, not reused.
    const template = node.tag
    writeNonce(template, node.nonceLo, node.nonceHi)
    if (this.init.key !== undefined) {
      this.lastSentAtMs = Math.max(this.lastSentAtMs + 1, Math.floor(this.clock.wallNow()))
      writeFreshness(template, this.checkerLo, this.checkerHi, this.lastSentAtMs)
    }
    const length = sealPacket(template, this.init.key)
    const buf = Buffer.allocUnsafe(length)
    template.copy(buf, 0, 0, length)
    this.socket?.send(buf, node.address.host, node.address.port)
    this.counts.probesSent++
    this.probeCounter.inc()
  }

  private readonly onMessage = (msg: Buffer, rinfo: PortAddress): void => {
    const view = this.view
    const reason = decodePacket(msg, view)
    if (reason !== undefined) { this.drops.drop(reason); return }
    if (view.kind !== KIND_REPLY) { this.drops.drop('kind'); return }
    const key = this.init.key
    if (key !== undefined && !verifyPacket(msg, view, key)) { this.drops.drop('auth'); return }
    const id = msg.toString('utf8', view.idStart, view.idEnd)
    const result = this.tracker.reply(id, view.nonceLo, view.nonceHi, rinfo.host, rinfo.port, this.clock.now())
    if (typeof result === 'string') { this.drops.drop(result); return }
    this.counts.replies++
    this.replyCounter.inc()
    this.rttHistogram.observe(result.lastRttMs / 1000)
    this.arm(result.nextProbeAt)
  }

  private readonly onError = (err: Error): void => {
    this.logger.warn('socket error', { err: err.message })
  }
}

