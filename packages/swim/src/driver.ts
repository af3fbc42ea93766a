import { DecodeError, PortInUseError, type Clock, type Logger, type Metrics, type PacketPorts, type Random, type StreamPorts, type TimerHandle } from '@clusterfunk/core'
import { formatAddress } from './address.js'
import { encodePacket } from './codec.js'
import type { MemberEvent } from './member.js'
import type { SimpleMessage, UserMessage } from './messages.js'
import type { Packet, StreamRequest } from './outputs.js'
import { DEFAULT_MAX_STRANGER_WINDOWS } from './constants.js'
import type { Freshness } from './freshness.js'
import type { NonceSource } from './keyring.js'
import { ReplayGuard, type StaleReason } from './replay-guard.js'
import { createSealer } from './sealer.js'
import { serveStream, streamMessages, streamPing, streamPushPull } from './stream-exchanges.js'
import { SwimCore } from './swim-core.js'
import type { SwimMetrics } from './swim-metrics.js'
import type { ResolvedSwimInit } from './swim-options.js'
import { TcpTransport } from './tcp-transport.js'
import { UdpTransport } from './udp-transport.js'

const BIND_ATTEMPTS = 10
const MAX_TRACKED_PINGS = 1024
/** Largest datagram read off the socket before decryption (the IPv4 UDP maximum). */
const MAX_DATAGRAM_BYTES = 65_535

/** What a driver is built from: the validated options and the node's components. */
export interface SwimDriverInit {
  options: ResolvedSwimInit
  tags: Map<string, string>
  clock: Clock
  random: Random
  logger: Logger
  packets: PacketPorts
  streams: StreamPorts
  nonces: NonceSource | undefined
  metricsSink: Metrics
  metrics: SwimMetrics
  /** Receives every member event, after the datagrams of the same step went out. */
  emit: (event: MemberEvent) => void
  /** Receives every user event, matching query and query response, after the member events of the same step. */
  deliver: (message: UserMessage) => void
}

/**
 * One running node: a `SwimCore`, its UDP and TCP transports (on the packet
 * and stream ports it was given: real ones, or a simulated host's) and one timer
 * re-armed to the core's `nextTickAt`. Every input (datagram, stream,
 * timer, API call) ends in `flush()`, which sends what the core produced,
 * runs its stream requests and emits its events. Built by `start()`, torn
 * down by `stop()`; a stopped driver ignores late stream results.
 */
export class SwimDriver {
  readonly core: SwimCore
  readonly port: number
  private readonly udp: UdpTransport
  private readonly tcp: TcpTransport
  private timer: TimerHandle | undefined
  private timerAt = Infinity
  private flushing = false
  private flushAgain = false
  private stopped = false
  private knownIncarnation = 1
  private outboundPushPulls = 0
  private readonly pingsSent = new Map<number, number>()
  private readonly replays: ReplayGuard
  private readonly address: string

  private constructor (private readonly init: SwimDriverInit, udp: UdpTransport, tcp: TcpTransport, port: number) {
    const { options } = init
    this.udp = udp
    this.tcp = tcp
    this.port = port
    this.address = options.advertiseAddress ?? formatAddress(options.host, port)
    this.core = new SwimCore({ id: options.id, address: this.address, tags: init.tags, config: options.config, random: init.random, logger: init.logger, metrics: init.metricsSink })
    this.replays = new ReplayGuard({ windowSize: options.replayWindow, maxAgeMs: options.maxMessageAgeMs, maxStrangers: DEFAULT_MAX_STRANGER_WINDOWS })
  }

  /** Binds UDP and TCP on one port (retrying another free port when 0 was asked and UDP is taken), then starts ticking. */
  static async start (init: SwimDriverInit): Promise<SwimDriver> {
    const { options, clock, metrics, logger } = init
    // The epoch is this start's wall-clock time: a restart is a later epoch, so receivers start a new replay window.
    const sealer = createSealer({ keyring: options.keyring, label: options.label, sender: options.id, epoch: Math.floor(clock.wallNow()), wallNow: () => clock.wallNow(), ...(init.nonces === undefined ? {} : { nonces: init.nonces }) })
    let driver: SwimDriver | undefined
    // Nothing is fresh before the driver exists (no window to check it against).
    const admit = (f: Freshness, local: string): StaleReason | undefined => driver === undefined ? 'stale' : driver.admit(f, local)
    const udp = new UdpTransport({ packets: init.packets, sealer, metrics, logger, admit, maxPacketBytes: MAX_DATAGRAM_BYTES, onPacket: (from, messages) => { driver?.onPacket(from, messages) } })
    const tcp = new TcpTransport({
      streams: init.streams,
      clock,
      sealer,
      metrics,
      metricsSink: init.metricsSink,
      logger,
      timeoutMs: () => options.config.tcpTimeoutMs,
      maxConnections: options.maxConcurrentStreams,
      maxConnectionsPerAddress: options.maxStreamsPerAddress,
      idleTimeoutMs: options.streamIdleTimeoutMs,
      maxPushPulls: options.maxConcurrentPushPulls,
      admit,
      onRequest: (request) => driver?.serve(request)
    })
    for (let attempt = 1; ; attempt++) {
      const port = await tcp.listen(options.host, options.port)
      try {
        await udp.bind(options.host, port)
        driver = new SwimDriver(init, udp, tcp, port)
        break
      } catch (err) {
        await Promise.all([tcp.close(), udp.close()])
        if (options.port !== 0 || attempt >= BIND_ATTEMPTS) {
          if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError('swim', `${formatAddress(options.host, port)} (udp)`, { cause: err })
          throw err
        }
      }
    }
    driver.core.tick(clock.now())
    driver.flush()
    return driver
  }

  /** Cancels the timer and closes both transports. */
  async stop (): Promise<void> {
    this.stopped = true
    if (this.timer !== undefined) this.init.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.pingsSent.clear()
    await Promise.all([this.udp.close(), this.tcp.close()])
  }

  /** Runs `fn` on the core at the current time, then flushes. */
  act (fn: (core: SwimCore, now: number) => void): void {
    fn(this.core, this.init.clock.now())
    this.knownIncarnation = this.core.member(this.core.id)?.incarnation ?? this.knownIncarnation
    this.flush()
  }

  /** One push/pull with `to`; periodic ones and reconnects (`capped`) beyond the concurrency cap are skipped. */
  async pushPull (to: string, join: boolean, capped = !join): Promise<void> {
    if (capped && this.outboundPushPulls >= this.init.options.maxConcurrentPushPulls) return
    this.outboundPushPulls++
    try {
      const theirs = await streamPushPull(this.tcp, to, this.core.localState(join))
      if (this.stopped) return
      this.core.mergeRemoteState(this.init.clock.now(), theirs)
      this.flush()
    } finally {
      this.outboundPushPulls--
    }
  }

  /**
   * Replay protection for sealed traffic: a message must be meant for this
   * node (its id, advertised address, or the local address it arrived on)
   * and fresh in its sender's window (see `ReplayGuard`).
   */
  private admit (f: Freshness, local: string): StaleReason | undefined {
    if (f.recipient !== this.core.id && f.recipient !== this.address && f.recipient !== local) return 'misdirected'
    return this.replays.accept(f, this.init.clock.wallNow(), this.core.member(f.sender) !== undefined)
  }

  private serve (request: Parameters<typeof serveStream>[2]): ReturnType<typeof serveStream> {
    if (this.stopped) return undefined
    const reply = serveStream(this.core, this.init.clock.now(), request)
    this.flush()
    return reply
  }

  private onPacket (from: string, messages: SimpleMessage[]): void {
    if (this.stopped) return
    const now = this.init.clock.now()
    for (const m of messages) {
      if (m.type !== 'ack') continue
      const sentAt = this.pingsSent.get(m.seq)
      if (sentAt !== undefined) {
        this.pingsSent.delete(m.seq)
        this.init.metrics.probeRtt.observe((now - sentAt) / 1000)
      }
    }
    this.core.receive(now, from, { type: 'compound', messages })
    this.flush()
  }

  /** Sends, streams and emits everything the core produced, then re-arms the timer. Re-entrant calls fold into one loop. */
  private flush (): void {
    if (this.flushing) { this.flushAgain = true; return }
    this.flushing = true
    const { metrics } = this.init
    try {
      do {
        this.flushAgain = false
        if (this.stopped) return
        const out = this.core.drain()
        for (const p of out.packets) this.sendPacket(p)
        for (const r of out.requests) this.runStream(r)
        this.noteSelf()
        metrics.queueDepth.set(this.core.pendingBroadcasts)
        if (out.events.length > 0 || this.timer === undefined) this.countMembers()
        for (const e of out.events) {
          if (e.type === 'member:suspect') metrics.suspicions.inc()
          if (e.type === 'member:failed') metrics.failures.inc()
          if (e.type === 'member:reap') this.replays.forget(e.member.id)
          this.init.emit(e)
        }
        for (const m of out.user) this.init.deliver(m)
        this.arm(out.nextTickAt)
      } while (this.flushAgain)
    } finally {
      this.flushing = false
    }
  }

  private sendPacket (p: Packet): void {
    for (const m of p.messages) {
      if (m.type === 'ping' && m.source === this.core.id) {
        if (this.pingsSent.size >= MAX_TRACKED_PINGS) this.pingsSent.clear()
        this.pingsSent.set(m.seq, this.init.clock.now())
      }
    }
    this.udp.send(p.to, encodePacket(p.messages))
  }

  private countMembers (): void {
    for (const [status, n] of Object.entries(this.core.statusCounts())) this.init.metrics.members.set({ status }, n)
  }

  /** Counts refutations: this node's incarnation rose without an API call (`act`) raising it. */
  private noteSelf (): void {
    const incarnation = this.core.member(this.core.id)?.incarnation ?? 0
    if (incarnation > this.knownIncarnation) this.init.metrics.refutations.inc()
    this.knownIncarnation = incarnation
  }

  private arm (at: number): void {
    const { clock } = this.init
    if (at === this.timerAt && this.timer !== undefined) return
    if (this.timer !== undefined) clock.clearTimeout(this.timer)
    this.timerAt = at
    this.timer = undefined
    if (!Number.isFinite(at)) return
    this.timer = clock.setTimeout(this.onTimer, Math.max(0, at - clock.now()))
    this.timer.unref?.()
  }

  private readonly onTimer = (): void => {
    this.timer = undefined
    this.timerAt = Infinity
    if (this.stopped) return
    this.core.tick(this.init.clock.now())
    this.flush()
  }

  private runStream (r: StreamRequest): void {
    const failed = (err: unknown): void => {
      if (err instanceof DecodeError) this.init.metrics.drop('tcp', 'decode')
      this.init.metrics.sendError()
      this.init.logger.debug('stream exchange failed', { kind: r.kind, to: r.to, err: (err as Error).message })
    }
    if (r.kind === 'ping') {
      const timeoutMs = Math.max(1, Math.min(this.init.options.config.tcpTimeoutMs, r.deadline - this.init.clock.now()))
      streamPing(this.tcp, r, timeoutMs).then((acked) => {
        if (this.stopped) return
        this.core.fallbackPingResult(this.init.clock.now(), r.ping.seq, acked)
        this.flush()
      }, (err: unknown) => {
        failed(err)
        // A refused connection: the member's port is closed, its process gone.
        if (this.stopped || !isRefused(err)) return
        this.core.fallbackPingResult(this.init.clock.now(), r.ping.seq, false, true)
        this.flush()
      })
    } else if (r.kind === 'push-pull') {
      this.pushPull(r.to, r.join, !r.join || r.reconnect === true).catch(failed)
    } else {
      streamMessages(this.tcp, r.to, r.messages).catch(failed)
    }
  }
}

/** True when `err` (or its cause) is a refused TCP connection. */
function isRefused (err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED') return true
  }
  return false
}
