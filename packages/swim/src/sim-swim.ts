import { DecodeError, TypedEventEmitter, type EventHandler, type ListenerOptions, type TimerHandle } from '@clusterfunk/core'
import type { ConnectionError, NodeClock, PacketNetwork, PacketSocket, SimConnection, Simulation, StreamListener, StreamNetwork } from '@clusterfunk/sim'
import { decodePacket, decodePushPull, encodePacket, encodePushPull } from './codec.js'
import { lanConfig, localConfig, swimConfig, wanConfig, type SwimConfig } from './config.js'
import { STREAM_ACK, STREAM_MESSAGES, STREAM_PING, STREAM_PUSH_PULL, type StreamKind } from './frames.js'
import type { Member, MemberEventType } from './member.js'
import type { Tags } from './messages.js'
import type { StreamRequest } from './outputs.js'
import { serveStream } from './stream-exchanges.js'
import { SwimCore } from './swim-core.js'
import type { SwimPreset } from './swim-options.js'

/** The simulated networks a `SimSwim` runs on; share one `Partitions` between them so a cut stops both. */
export interface SimSwimNetworks {
  /** Carries the datagrams: probes, acks, gossip. */
  packets: PacketNetwork
  /** Carries push/pull, TCP fallback pings and oversized gossip, one connection an exchange. */
  streams: StreamNetwork
}

/** Options of one simulated member. */
export interface SimSwimInit {
  /** The member's name, unique in the cluster. */
  id: string
  /** Its address on both networks. Default `<id>:7946`. */
  address?: string
  tags?: Tags | Record<string, string>
  /** Timing preset. Default `'lan'`. */
  preset?: SwimPreset
  /** Fields overriding the preset. */
  config?: Partial<SwimConfig>
}

const presets: Record<SwimPreset, Readonly<SwimConfig>> = { lan: lanConfig, wan: wanConfig, local: localConfig }

/** The events of a `SimSwim`, as `Swim` emits them: the member after the change. */
export type SimSwimEvents = { [K in MemberEventType]: Member }

/**
 * A SWIM member on `@clusterfunk/sim`: a `SwimCore` on the simulation's
 * virtual clock, its datagrams encoded with the codec and sent over a
 * `PacketNetwork`, its stream exchanges (push/pull, including joins and
 * reconnects; TCP fallback pings; oversized gossip) run as one connection
 * each over a `StreamNetwork`, bounded by `tcpTimeoutMs`. The same wire
 * format and exchanges as `Swim`, without encryption.
 *
 * Faults: `crash()` stops the member dead (sockets closed, timers gone);
 * `pause()` / `resume()` freeze its processing (a stalled process, or
 * SIGSTOP): what arrives meanwhile is handled on resume. Drive it with the
 * simulation's synchronous runners (`runFor`, `runUntil`).
 */
export class SimSwim {
  readonly id: string
  readonly address: string
  /** The protocol state machine, for inspection. Call its inputs through `act`. */
  readonly core: SwimCore
  /** Datagrams and stream frames that did not decode. */
  decodeErrors = 0
  private readonly emitter = new TypedEventEmitter<SimSwimEvents>()
  private readonly clock: NodeClock
  private socket: PacketSocket | undefined
  private listener: StreamListener | undefined
  private readonly connections = new Set<SimConnection>()
  private timer: TimerHandle | undefined
  private timerAt = Infinity
  private state: 'new' | 'running' | 'paused' | 'crashed' = 'new'
  private held: Array<() => void> = []

  constructor (private readonly sim: Simulation, private readonly networks: SimSwimNetworks, init: SimSwimInit) {
    this.id = init.id
    this.address = init.address ?? `${init.id}:7946`
    this.clock = sim.clockFor(this.id)
    const config = swimConfig(presets[init.preset ?? 'lan'], init.config ?? {})
    this.core = new SwimCore({ id: this.id, address: this.address, tags: init.tags, config, random: sim.fork(`swim:${this.id}`) })
  }

  /** True from `start()` until `crash()`, paused or not. */
  get running (): boolean {
    return this.state === 'running' || this.state === 'paused'
  }

  /** Binds the address on both networks and starts ticking. */
  start (): void {
    if (this.state !== 'new') return
    this.state = 'running'
    this.socket = this.networks.packets.bind(this.address)
    this.socket.onMessage((bytes, from) => { this.input(() => { this.onDatagram(bytes, from) }) })
    this.listener = this.networks.streams.listen(this.address, conn => { this.serve(conn) })
    this.core.tick(this.sim.now())
    this.flush()
  }

  /** Runs `fn` on the core at the current virtual time, then sends what it produced. */
  act (fn: (core: SwimCore, now: number) => void): void {
    if (!this.running) return
    this.input(() => { fn(this.core, this.sim.now()) })
  }

  /** Asks for a join push/pull with each address; progress shows in `members()` and events. */
  join (addresses: readonly string[]): void {
    this.act((core, now) => { core.join(now, addresses) })
  }

  /** Starts a graceful leave; `leaveDone` tells when it spread. */
  leave (): void {
    this.act((core, now) => { core.leave(now) })
  }

  get leaveDone (): boolean {
    return this.core.leaveBroadcastDone
  }

  /** Publishes new tags (incarnation + 1). */
  setTags (tags: Tags | Record<string, string>): void {
    this.act((core, now) => { core.setTags(now, tags) })
  }

  /** Alive and suspect members, this node included. */
  members (): Member[] {
    return this.core.members().filter(m => m.status === 'alive' || m.status === 'suspect')
  }

  /** One member by id, tombstones included. */
  member (id: string): Member | undefined {
    return this.core.member(id)
  }

  addEventListener<K extends MemberEventType>(type: K, listener: EventHandler<SimSwimEvents[K]>, options?: ListenerOptions): void {
    this.emitter.addEventListener(type, listener, options)
  }

  removeEventListener<K extends MemberEventType>(type: K, listener: EventHandler<SimSwimEvents[K]>): void {
    this.emitter.removeEventListener(type, listener)
  }

  /** Stops the member dead: datagram socket and listener closed, connections reset, timers cancelled. It cannot start again; build a new one at the same address to model a restart. */
  crash (): void {
    if (!this.running) return
    this.state = 'crashed'
    this.held = []
    this.clock.cancelAll()
    this.timer = undefined
    this.socket?.close()
    this.listener?.close()
    for (const conn of [...this.connections]) conn.reset()
  }

  /** Freezes processing: inputs and timers wait until `resume()`. */
  pause (): void {
    if (this.state === 'running') this.state = 'paused'
  }

  /** Handles what arrived during the pause, in order, after a tick. */
  resume (): void {
    if (this.state !== 'paused') return
    this.state = 'running'
    this.core.tick(this.sim.now())
    const held = this.held
    this.held = []
    for (const input of held) input()
    this.flush()
  }

  /** Runs `fn` now and flushes, or holds it while paused. */
  private input (fn: () => void): void {
    if (this.state === 'paused') {
      this.held.push(fn)
      return
    }
    if (this.state !== 'running') return
    fn()
    this.flush()
  }

  private onDatagram (bytes: Uint8Array, from: string): void {
    let messages
    try {
      messages = decodePacket(bytes)
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err
      this.decodeErrors++
      return
    }
    this.core.receive(this.sim.now(), from, { type: 'compound', messages })
  }

  private flush (): void {
    if (this.state !== 'running') return
    const out = this.core.drain()
    for (const p of out.packets) this.socket?.send(p.to, encodePacket(p.messages))
    for (const r of out.requests) this.request(r)
    for (const e of out.events) this.emitter.emit(e.type, e.member)
    this.arm(out.nextTickAt)
  }

  private arm (at: number): void {
    if (at === this.timerAt && this.timer !== undefined) return
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = at
    if (!Number.isFinite(at)) return
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.timerAt = Infinity
      this.input(() => { this.core.tick(this.sim.now()) })
    }, at - this.sim.now())
  }

  /** Serves one inbound exchange with the same handler as `Swim`'s TCP side. */
  private serve (conn: SimConnection): void {
    this.track(conn)
    conn.onMessage(bytes => {
      this.input(() => {
        let reply
        try {
          reply = serveStream(this.core, this.sim.now(), { kind: (bytes[0] ?? 0) as StreamKind, body: bytes.subarray(1) })
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err
          this.decodeErrors++
          conn.reset()
          return
        }
        if (reply !== undefined && conn.state === 'open') conn.send(frame(reply.kind, reply.body))
        conn.close()
      })
    })
  }

  /** Runs one stream request as a connection of its own, bounded by tcpTimeoutMs (a fallback ping by its deadline). */
  private request (r: StreamRequest): void {
    const now = this.sim.now()
    const conn = this.networks.streams.connect(this.address, r.to)
    this.track(conn)
    let done = false
    const finish = (then: () => void): void => {
      if (done) return
      done = true
      this.clock.clearTimeout(deadline)
      if (conn.state !== 'closed') conn.close()
      this.input(then)
    }
    const failed = (refused: boolean): void => {
      finish(() => { if (r.kind === 'ping') this.core.fallbackPingResult(this.sim.now(), r.ping.seq, false, refused) })
    }
    const timeoutMs = r.kind === 'ping' ? Math.max(1, r.deadline - now) : this.core.config.tcpTimeoutMs
    const deadline = this.clock.setTimeout(() => { failed(false) }, timeoutMs)
    conn.onClose(err => { failed((err as ConnectionError | undefined)?.code === 'ECONNREFUSED') })
    conn.onMessage(bytes => {
      finish(() => {
        const kind = bytes[0]
        try {
          if (r.kind === 'push-pull' && kind === STREAM_PUSH_PULL) this.core.mergeRemoteState(this.sim.now(), decodePushPull(bytes.subarray(1)))
          if (r.kind === 'ping') {
            const acked = kind === STREAM_ACK && decodePacket(bytes.subarray(1)).some(m => m.type === 'ack' && m.seq === r.ping.seq)
            this.core.fallbackPingResult(this.sim.now(), r.ping.seq, acked)
          }
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err
          this.decodeErrors++
        }
      })
    })
    if (r.kind === 'push-pull') conn.send(frame(STREAM_PUSH_PULL, encodePushPull(this.core.localState(r.join))))
    else if (r.kind === 'ping') conn.send(frame(STREAM_PING, encodePacket([r.ping])))
    else {
      const bytes = frame(STREAM_MESSAGES, encodePacket(r.messages))
      // no reply expected: once open, send and close behind the frame
      conn.onOpen(() => {
        conn.send(bytes)
        finish(() => {})
      })
    }
  }

  private track (conn: SimConnection): void {
    this.connections.add(conn)
    conn.onClose(() => { this.connections.delete(conn) })
  }
}

/** A stream message: the kind byte, then the body. */
function frame (kind: StreamKind, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length)
  out[0] = kind
  out.set(body, 1)
  return out
}
