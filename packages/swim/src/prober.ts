import type { Random } from '@clusterfunk/core'
import type { Awareness } from './awareness.js'
import type { SwimConfig } from './config.js'
import { isGone, type MemberRecord } from './member.js'
import type { Membership } from './membership.js'
import type { AckMessage, IndirectPingMessage, NackMessage, PingMessage, SimpleMessage } from './messages.js'
import type { Outbox } from './outbox.js'

/** What the prober needs from the core around it. */
export interface ProberContext {
  readonly config: SwimConfig
  readonly random: Random
  readonly awareness: Awareness
  readonly membership: Membership
  readonly outbox: Outbox
  /** Reports how each probe ended. */
  readonly onProbeDone: (result: 'ack' | 'indirect-ack' | 'tcp-ack' | 'failed') => void
}

/** The probe in flight. */
interface ActiveProbe {
  readonly target: string
  readonly address: string
  readonly incarnation: number
  readonly seq: number
  /** When the direct ping is given up and relays are asked (probe timeout, scaled by health). */
  readonly directDeadline: number
  /** When the whole probe fails (probe interval, scaled by health). */
  readonly deadline: number
  indirectSent: boolean
  expectedNacks: number
  readonly nacks: Set<string>
}

/** An indirect ping this node relays for another member. */
interface Relay {
  readonly requesterAddress: string
  readonly seq: number
  readonly wantNack: boolean
  /** A nack goes out here, early enough to reach the requester before its deadline. */
  readonly nackAt: number
  /** The relay is forgotten here; a later ack is no longer forwarded. */
  readonly expiresAt: number
  nacked: boolean
}

/** Relays nack after this share of the probe timeout (the Lifeguard paper's 80 %). */
export const NACK_TIMEOUT_SHARE = 0.8

/**
 * The failure detector: one probe per (health-scaled) probe interval, in
 * round-robin order over a list reshuffled every round; direct ping, then
 * indirect pings through `indirectChecks` members plus a TCP fallback ping,
 * then suspicion. It also answers pings and relays indirect pings for others.
 */
export class Prober {
  private order: string[] = []
  private index = 0
  private probe: ActiveProbe | undefined
  private readonly relays = new Map<number, Relay>()
  private seq: number
  private nextProbeAt = Infinity

  constructor (private readonly ctx: ProberContext) {
    this.seq = ctx.random.uint32()
  }

  /** Starts the probe clock; the first probe is staggered randomly within one interval. */
  start (now: number): void {
    this.nextProbeAt = now + Math.floor(this.ctx.random.float() * this.ctx.config.probeIntervalMs)
  }

  /** The member being probed, if any. */
  get probing (): string | undefined {
    return this.probe?.target
  }

  /** Schedules a new member at a random place of this round, so a join does not wait a whole round. */
  add (id: string): void {
    // a member reaped and re-added within one round may still be listed
    if (this.order.includes(id)) return
    // Among the members not yet probed this round: before `index` it would wait a whole round and push a probed member back under the cursor.
    this.order.splice(this.ctx.random.int(this.index, Math.max(this.index, this.order.length)), 0, id)
  }

  tick (now: number): void {
    for (const [seq, r] of [...this.relays]) {
      if (r.wantNack && !r.nacked && now >= r.nackAt) {
        r.nacked = true
        this.send(r.requesterAddress, [{ type: 'nack', seq: r.seq, source: this.self.id }])
      }
      if (now >= r.expiresAt) this.relays.delete(seq)
    }
    const p = this.probe
    if (p !== undefined && !p.indirectSent && now >= p.directDeadline) this.sendIndirect(p)
    if (p !== undefined && now >= p.deadline) this.fail(now, p)
    if (now >= this.nextProbeAt) {
      const interval = this.ctx.awareness.scale(this.ctx.config.probeIntervalMs)
      this.nextProbeAt = now + interval
      if (!this.ctx.membership.hasLeft) this.startProbe(now, interval)
    }
  }

  /** The earliest `now` at which `tick` has work. */
  nextDeadline (): number {
    let next = this.nextProbeAt
    const p = this.probe
    if (p !== undefined) next = Math.min(next, p.indirectSent ? p.deadline : p.directDeadline)
    for (const r of this.relays.values()) next = Math.min(next, r.wantNack && !r.nacked ? r.nackAt : r.expiresAt)
    return next
  }

  /** Answers a ping meant for this node. Returns the ack, or undefined for a ping meant for someone else. */
  answer (ping: PingMessage): AckMessage | undefined {
    if (ping.target !== this.self.id) return undefined
    return { type: 'ack', seq: ping.seq, source: this.self.id }
  }

  handlePing (from: string, ping: PingMessage): void {
    const ack = this.answer(ping)
    if (ack !== undefined) this.send(ping.sourceAddress !== '' ? ping.sourceAddress : from, [ack])
  }

  handleIndirectPing (now: number, from: string, req: IndirectPingMessage): void {
    const seq = this.nextSeq()
    const timeout = this.ctx.config.probeTimeoutMs
    this.relays.set(seq, {
      requesterAddress: req.sourceAddress !== '' ? req.sourceAddress : from,
      seq: req.seq,
      wantNack: req.wantNack,
      nackAt: now + Math.floor(timeout * NACK_TIMEOUT_SHARE),
      expiresAt: now + timeout,
      nacked: false
    })
    this.send(req.targetAddress, [{ type: 'ping', seq, target: req.target, source: this.self.id, sourceAddress: this.self.address }])
  }

  handleAck (ack: AckMessage): void {
    const relay = this.relays.get(ack.seq)
    if (relay !== undefined) {
      this.relays.delete(ack.seq)
      this.send(relay.requesterAddress, [{ type: 'ack', seq: relay.seq, source: this.self.id }])
      return
    }
    const p = this.probe
    if (p !== undefined && ack.seq === p.seq) this.succeed(p.indirectSent ? 'indirect-ack' : 'ack')
  }

  handleNack (nack: NackMessage): void {
    const p = this.probe
    if (p !== undefined && nack.seq === p.seq && p.indirectSent) p.nacks.add(nack.source)
  }

  /**
   * The driver's report of a TCP fallback ping. `refused` means the
   * member's host answered the connection with a reset: nothing listens on
   * the member's port, so its process is gone. That is conclusive enough to
   * suspect it now rather than at the end of the probe period; suspicion is
   * still refutable and still takes its full timeout to become a failure.
   */
  fallbackResult (now: number, seq: number, acked: boolean, refused = false): void {
    const p = this.probe
    if (p === undefined || p.seq !== seq) return
    if (acked) this.succeed('tcp-ack')
    else if (refused) this.fail(now, p, true)
  }

  private get self (): MemberRecord {
    return this.ctx.membership.self
  }

  private startProbe (now: number, interval: number): void {
    const target = this.nextTarget()
    if (target === undefined) return
    const seq = this.nextSeq()
    this.probe = {
      target: target.id,
      address: target.address,
      incarnation: target.incarnation,
      seq,
      directDeadline: now + this.ctx.awareness.scale(this.ctx.config.probeTimeoutMs),
      deadline: now + interval,
      indirectSent: false,
      expectedNacks: 0,
      nacks: new Set()
    }
    const messages: SimpleMessage[] = [this.ping(seq, target.id)]
    // Buddy system: a suspect learns of the suspicion from its prober at once, and can refute.
    if (target.status === 'suspect') messages.push({ type: 'suspect', node: target.id, incarnation: target.incarnation, from: this.self.id })
    this.send(target.address, messages)
  }

  private sendIndirect (p: ActiveProbe): void {
    p.indirectSent = true
    const candidates = this.ctx.membership.live().filter(m => m.id !== p.target && m.status === 'alive')
    const relays = this.ctx.random.shuffle(candidates).slice(0, this.ctx.config.indirectChecks)
    for (const r of relays) {
      this.send(r.address, [{
        type: 'indirect-ping', seq: p.seq, target: p.target, targetAddress: p.address, wantNack: true, source: this.self.id, sourceAddress: this.self.address
      }])
    }
    p.expectedNacks = relays.length
    if (this.ctx.config.tcpFallbackPing) {
      this.ctx.outbox.request({ kind: 'ping', to: p.address, ping: this.ping(p.seq, p.target), deadline: p.deadline })
    }
  }

  private succeed (result: 'ack' | 'indirect-ack' | 'tcp-ack'): void {
    this.probe = undefined
    this.ctx.awareness.applyDelta(-1)
    this.ctx.onProbeDone(result)
  }

  private fail (now: number, p: ActiveProbe, conclusive = false): void {
    this.probe = undefined
    // Lifeguard: missing nacks mean our own links are the likely culprit; without relays every failure counts.
    // A conclusive failure (the member's port refused us) says nothing against our own links.
    const delta = conclusive ? 0 : p.expectedNacks > 0 ? Math.max(0, p.expectedNacks - p.nacks.size) : 1
    this.ctx.awareness.applyDelta(delta)
    this.ctx.onProbeDone('failed')
    this.ctx.membership.applySuspect(now, { type: 'suspect', node: p.target, incarnation: p.incarnation, from: this.self.id })
  }

  private nextTarget (): MemberRecord | undefined {
    const membership = this.ctx.membership
    for (let rounds = 0; rounds < 2;) {
      if (this.index >= this.order.length) {
        this.order = this.ctx.random.shuffle(membership.live().map(m => m.id))
        this.index = 0
        rounds++
        if (this.order.length === 0) return undefined
      }
      const m = membership.get(this.order[this.index++] as string)
      if (m !== undefined && m.id !== this.self.id && !isGone(m.status)) return m
    }
    return undefined
  }

  private ping (seq: number, target: string): PingMessage {
    return { type: 'ping', seq, target, source: this.self.id, sourceAddress: this.self.address }
  }

  private nextSeq (): number {
    this.seq = (this.seq + 1) >>> 0
    return this.seq
  }

  private send (to: string, messages: SimpleMessage[]): void {
    this.ctx.outbox.send(to, messages)
  }
}
