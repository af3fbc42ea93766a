import { DecodeError, type Random, type TimerHandle } from '@clusterfunk/core'
import { sampleLatency, type NodeClock, type PacketNetwork, type PacketSocket, type Simulation } from '@clusterfunk/sim'
import { decodePacket, decodePushPull, encodePacket, encodePushPull, MAX_PUSH_PULL_BYTES } from '../src/codec.js'
import { swimConfig, type SwimConfig } from '../src/config.js'
import type { MemberEvent } from '../src/member.js'
import { SwimCore } from '../src/swim-core.js'

/**
 * A minimal test driver: one SwimCore on the simulator's virtual clock and
 * packet network, with every datagram encoded and decoded by the codec. The
 * TCP side (push/pull, fallback pings, oversized gossip) is modelled as
 * reliable exchanges that a partition cuts, with the network's latency.
 */
export class SimSwimNode {
  readonly core: SwimCore
  readonly address: string
  readonly events: Array<MemberEvent & { at: number }> = []
  decodeErrors = 0
  up = true
  private readonly clock: NodeClock
  private readonly socket: PacketSocket
  private readonly streamRandom: Random
  private timer: TimerHandle | undefined

  constructor (
    private readonly sim: Simulation,
    private readonly net: PacketNetwork,
    private readonly peers: Map<string, SimSwimNode>,
    readonly id: string,
    config: Partial<SwimConfig>
  ) {
    this.address = `${id}:7946`
    this.clock = sim.clockFor(id)
    this.socket = net.bind(this.address)
    this.streamRandom = sim.fork(`streams:${id}`)
    this.core = new SwimCore({ id, address: this.address, config: swimConfig(undefined, config), random: sim.fork(`swim:${id}`) })
    this.socket.onMessage((bytes, from) => {
      let messages
      try {
        messages = decodePacket(bytes)
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err
        this.decodeErrors++
        return
      }
      this.core.receive(this.sim.now(), from, { type: 'compound', messages })
      this.flush()
    })
    peers.set(this.address, this)
    this.flush()
  }

  /** Runs `fn` on the core now and sends what it produced. */
  act (fn: (core: SwimCore, now: number) => void): void {
    fn(this.core, this.sim.now())
    this.flush()
  }

  /** Stops the node dead: no timers, no socket. */
  crash (): void {
    this.up = false
    this.clock.cancelAll()
    this.socket.close()
  }

  private reachable (peer: SimSwimNode | undefined): peer is SimSwimNode {
    return peer !== undefined && peer.up && this.up && !this.net.partitions.blocked(this.address, peer.address)
  }

  /** Runs `run` one stream latency towards `to` from now. */
  private later (to: string, run: () => void): void {
    this.sim.schedule(sampleLatency(this.net.linkConfig(this.address, to).latency, this.streamRandom), run)
  }

  private flush (): void {
    if (!this.up) return
    const now = this.sim.now()
    const out = this.core.drain()
    for (const e of out.events) this.events.push({ ...e, at: now })
    for (const p of out.packets) this.socket.send(p.to, encodePacket(p.messages))
    for (const r of out.requests) {
      const peer = this.peers.get(r.to)
      if (r.kind === 'messages') {
        const bytes = encodePacket(r.messages)
        this.later(r.to, () => {
          if (!this.reachable(peer)) return
          peer.core.receive(this.sim.now(), this.address, { type: 'compound', messages: decodePacket(bytes, MAX_PUSH_PULL_BYTES) })
          peer.flush()
        })
      } else if (r.kind === 'push-pull') {
        const mine = encodePushPull(this.core.localState(r.join))
        this.later(r.to, () => {
          if (!this.reachable(peer)) return
          peer.core.mergeRemoteState(this.sim.now(), decodePushPull(mine))
          const theirs = encodePushPull(peer.core.localState())
          peer.flush()
          this.later(r.to, () => {
            if (!this.reachable(peer)) return
            this.core.mergeRemoteState(this.sim.now(), decodePushPull(theirs))
            this.flush()
          })
        })
      } else {
        const seq = r.ping.seq
        let reported = false
        const report = (acked: boolean): void => {
          if (reported || !this.up) return
          reported = true
          this.core.fallbackPingResult(this.sim.now(), seq, acked)
          this.flush()
        }
        this.later(r.to, () => {
          if (this.reachable(peer) && peer.core.answerStreamPing(r.ping) !== undefined) this.later(r.to, () => { report(this.reachable(peer)) })
        })
        this.sim.scheduleAt(Math.max(now, r.deadline), () => { report(false) })
      }
    }
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.core.tick(this.sim.now())
      this.flush()
    }, Math.max(0, this.core.nextTickAt() - now))
  }
}
