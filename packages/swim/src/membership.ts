import { CounterExhaustedError, INCARNATIONS, nextCounter, plausibleAdvance, type Logger } from '@clusterfunk/core'
import type { Awareness } from './awareness.js'
import type { BroadcastQueue } from './broadcast-queue.js'
import { messageSize } from './codec.js'
import type { SwimConfig } from './config.js'
import { isGone, snapshot, type MemberEventType, type MemberRecord } from './member.js'
import { tagsEqual, tagsSize, type AliveMessage, type DeadMessage, type BroadcastMessage, type MembershipMessage, type MemberStatus, type SuspectMessage } from './messages.js'
import type { Outbox } from './outbox.js'
import { Suspicion, suspicionBounds, wantedConfirmations } from './suspicion.js'

/** What the membership table needs from the core around it. */
export interface MembershipContext {
  readonly config: SwimConfig
  readonly awareness: Awareness
  readonly queue: BroadcastQueue<BroadcastMessage>
  readonly outbox: Outbox
  readonly logger: Logger
  /** Called once for each member added to the table (the prober schedules it). */
  readonly onAdded: (id: string) => void
  /** Counts a dropped or conflicting message, by reason. */
  readonly onDropped: (reason: string) => void
}

/**
 * The membership table and its rules: alive / suspect / dead messages with
 * incarnation numbers, refutation, Lifeguard suspicion timers, address
 * reclaim, tombstones and graceful leave. memberlist's aliveNode,
 * suspectNode and deadNode, written as synchronous transitions on `now`.
 */
export class Membership {
  readonly self: MemberRecord
  private readonly members = new Map<string, MemberRecord>()
  private readonly suspicions = new Map<string, Suspicion>()
  /** Failed members kept past gossipToTheDeadTimeMs only to be retried: not counted in `size`. */
  private readonly dormant = new Set<string>()
  private leaving = false
  private leaveDone = false
  /**
   * True until a push/pull state told this node what the cluster holds for
   * it. A restarted node starts at incarnation 1 while the cluster may hold
   * its previous life far higher; the first full state that names it is
   * taken as its baseline whatever the step (see `plausible`).
   */
  private selfBaselineOpen = true

  constructor (private readonly ctx: MembershipContext, self: MemberRecord) {
    this.self = self
    this.members.set(self.id, self)
    this.broadcast(this.selfAlive())
  }

  /**
   * Members known, this node and tombstones included (memberlist's estimate
   * of N), except failed members kept beyond gossipToTheDeadTimeMs only for
   * reconnects (memberlist would have reaped them).
   */
  get size (): number {
    return this.members.size - this.dormant.size
  }

  /** Members declared failed (not left) that reconnects still try: dead for less than reconnectTimeoutMs. */
  failed (now: number): MemberRecord[] {
    if (!this.reconnecting) return []
    return this.all().filter(m => m.status === 'dead' && m.id !== this.self.id && now - m.statusChangedAt <= this.ctx.config.reconnectTimeoutMs)
  }

  get hasLeft (): boolean {
    return this.leaving
  }

  /** True once the leave broadcast went out its full number of times (or there was no one to tell). */
  get leaveBroadcastDone (): boolean {
    return this.leaveDone
  }

  get (id: string): MemberRecord | undefined {
    return this.members.get(id)
  }

  all (): MemberRecord[] {
    return [...this.members.values()]
  }

  /** How many records are in each status. */
  statusCounts (): Record<MemberStatus, number> {
    const counts: Record<MemberStatus, number> = { alive: 0, suspect: 0, dead: 0, left: 0 }
    for (const m of this.members.values()) counts[m.status]++
    return counts
  }

  /** Members other than this node that are alive or suspect. */
  live (): MemberRecord[] {
    return this.all().filter(m => m.id !== this.self.id && !isGone(m.status))
  }

  suspicion (id: string): Suspicion | undefined {
    return this.suspicions.get(id)
  }

  /** The alive message this node announces about itself. */
  selfAlive (): AliveMessage {
    return { type: 'alive', node: this.self.id, incarnation: this.self.incarnation, address: this.self.address, tags: new Map(this.self.tags) }
  }

  /**
   * Handles news that `a.node` is alive. `fullState` marks news from a
   * push/pull exchange (see `selfBaselineOpen`).
   */
  applyAlive (now: number, a: AliveMessage, fullState = false): void {
    const isSelf = a.node === this.self.id
    if (isSelf && this.leaving) return
    if (tagsSize(a.tags) > this.ctx.config.maxTagsBytes) {
      this.ctx.onDropped('tags-too-large')
      return
    }
    let state = this.members.get(a.node)
    if (state !== undefined && !this.plausible(state, a.incarnation, fullState)) return
    let reclaim = false
    let added = false
    if (state === undefined) {
      state = { id: a.node, address: a.address, status: 'dead', incarnation: a.incarnation, tags: new Map(a.tags), statusChangedAt: now }
      this.members.set(a.node, state)
      added = true
    } else if (state.address !== a.address) {
      const reclaimable = state.status === 'left' ||
        (state.status === 'dead' && now - state.statusChangedAt >= this.ctx.config.deadNodeReclaimTimeMs)
      if (!reclaimable) {
        this.ctx.onDropped('address-conflict')
        this.ctx.logger.warn('conflicting address for a live member', { member: a.node, known: state.address, claimed: a.address })
        return
      }
      reclaim = true
    }
    if (isSelf) {
      if (a.incarnation < state.incarnation) return
      if (a.incarnation === state.incarnation && a.address === state.address && tagsEqual(a.tags, state.tags)) return
      this.refute(a.incarnation)
      return
    }
    if (!added && !reclaim && a.incarnation <= state.incarnation) return
    this.suspicions.delete(a.node)
    this.broadcast(a)
    const oldStatus = state.status
    const changed = state.address !== a.address || !tagsEqual(a.tags, state.tags)
    state.incarnation = a.incarnation
    state.address = a.address
    state.tags = new Map(a.tags)
    if (state.status !== 'alive') {
      state.status = 'alive'
      state.statusChangedAt = now
      this.dormant.delete(a.node)
    }
    if (added) this.ctx.onAdded(a.node)
    if (added || isGone(oldStatus)) this.emit('member:join', state)
    else {
      if (oldStatus === 'suspect') this.emit('member:alive', state)
      if (changed) this.emit('member:update', state)
    }
  }

  /** Handles an accusation that `s.node` failed. */
  applySuspect (now: number, s: SuspectMessage, fullState = false): void {
    const state = this.members.get(s.node)
    if (state === undefined || s.incarnation < state.incarnation) return
    if (!this.plausible(state, s.incarnation, fullState)) return
    const running = this.suspicions.get(s.node)
    if (running !== undefined) {
      // An independent confirmation shortens the timer and is worth re-gossiping.
      if (running.confirm(s.from)) this.broadcast(s)
      return
    }
    if (state.status !== 'alive') return
    if (state.id === this.self.id) {
      this.refute(s.incarnation)
      return
    }
    this.broadcast(s)
    state.incarnation = s.incarnation
    state.status = 'suspect'
    state.statusChangedAt = now
    const { config } = this.ctx
    const n = this.members.size
    const bounds = suspicionBounds(config.suspicionMult, config.suspicionMaxTimeoutMult, n, config.probeIntervalMs)
    this.suspicions.set(s.node, new Suspicion(s.from, now, wantedConfirmations(config.suspicionMult, n), bounds))
    this.emit('member:suspect', state)
  }

  /** Handles news that `d.node` is dead, or left when `d.from` is the node itself. */
  applyDead (now: number, d: DeadMessage, fullState = false): void {
    const state = this.members.get(d.node)
    if (state === undefined || d.incarnation < state.incarnation) return
    if (!this.plausible(state, d.incarnation, fullState)) return
    this.suspicions.delete(d.node)
    if (isGone(state.status)) return
    const isSelf = state.id === this.self.id
    if (isSelf && !this.leaving) {
      this.refute(d.incarnation)
      return
    }
    const leave = d.from === d.node
    if (isSelf) this.broadcast(d, () => { this.leaveDone = true })
    else this.broadcast(d)
    state.incarnation = d.incarnation
    state.status = leave ? 'left' : 'dead'
    state.statusChangedAt = now
    if (!isSelf) this.emit(leave ? 'member:leave' : 'member:failed', state)
  }

  /** Starts a graceful leave: this node declares itself left and gossips it. */
  leave (now: number): void {
    if (this.leaving) return
    this.leaving = true
    if (this.live().length === 0) this.leaveDone = true
    this.applyDead(now, { type: 'dead', node: this.self.id, incarnation: this.self.incarnation, from: this.self.id })
  }

  /**
   * Replaces this node's tags: a higher incarnation, announced as alive.
   * @throws CounterExhaustedError when the incarnation is at the end of its range
   */
  setTags (tags: ReadonlyMap<string, string>): void {
    const incarnation = nextCounter(INCARNATIONS, this.self.incarnation)
    this.self.tags = new Map(tags)
    this.self.incarnation = incarnation
    this.broadcast(this.selfAlive())
  }

  /**
   * Fires expired suspicions (the suspect is declared dead) and reaps
   * tombstones: members that left after gossipToTheDeadTimeMs, failed ones
   * after the longer of that and reconnectTimeoutMs (when reconnects are on).
   */
  tick (now: number): void {
    for (const [id, s] of [...this.suspicions]) {
      if (s.deadline > now) continue
      const state = this.members.get(id)
      this.suspicions.delete(id)
      if (state === undefined || state.status !== 'suspect') continue
      this.ctx.logger.info('suspicion timed out', { member: id, confirmations: s.confirmations })
      this.applyDead(now, { type: 'dead', node: id, incarnation: state.incarnation, from: this.self.id })
    }
    const gossipToTheDead = this.ctx.config.gossipToTheDeadTimeMs
    for (const m of [...this.members.values()]) {
      if (m.id === this.self.id || !isGone(m.status)) continue
      const age = now - m.statusChangedAt
      if (age > this.keepFor(m)) {
        this.members.delete(m.id)
        this.dormant.delete(m.id)
        this.emit('member:reap', m)
      } else if (age > gossipToTheDead) {
        this.dormant.add(m.id)
      }
    }
  }

  /** The earliest `now` at which `tick` has work: a suspicion, a tombstone going dormant, or a reap. */
  nextDeadline (): number {
    let next = Infinity
    for (const s of this.suspicions.values()) next = Math.min(next, s.deadline)
    for (const m of this.members.values()) {
      if (m.id === this.self.id || !isGone(m.status)) continue
      const after = this.dormant.has(m.id) ? this.keepFor(m) : this.ctx.config.gossipToTheDeadTimeMs
      next = Math.min(next, m.statusChangedAt + after + 1)
    }
    return next
  }

  private get reconnecting (): boolean {
    return this.ctx.config.reconnectIntervalMs > 0
  }

  /** How long a tombstone is kept: failed members as long as they are retried, at least gossipToTheDeadTimeMs. */
  private keepFor (m: MemberRecord): number {
    const { gossipToTheDeadTimeMs, reconnectTimeoutMs } = this.ctx.config
    return m.status === 'dead' && this.reconnecting ? Math.max(gossipToTheDeadTimeMs, reconnectTimeoutMs) : gossipToTheDeadTimeMs
  }

  /** Ends the window in which a push/pull may set this node's incarnation baseline (see `selfBaselineOpen`). */
  closeSelfBaseline (): void {
    this.selfBaselineOpen = false
  }

  /**
   * The step rule: a claim about a known member more
   * than `INCARNATIONS.maxStep` ahead of the incarnation held for it is
   * dropped and counted. Only the member itself raises its incarnation, one
   * step per refutation or tag change, so no honest claim jumps that far;
   * a forged one would otherwise push the member to the end of the range,
   * where it can no longer refute. The one honest jump is a restart: the
   * node starts at 1 and learns its previous life from the first push/pull
   * state that names it, which is therefore exempt for this node itself.
   */
  private plausible (state: MemberRecord, claimed: number, fullState: boolean): boolean {
    if (plausibleAdvance(INCARNATIONS, state.incarnation, claimed)) return true
    if (fullState && this.selfBaselineOpen && state === this.self) return true
    this.ctx.onDropped('implausible-incarnation')
    this.ctx.logger.warn('dropped an implausible incarnation', { member: state.id, held: state.incarnation, claimed })
    return false
  }

  /**
   * Answers an accusation with an incarnation above `accused`, and counts it
   * against local health. At the end of the range (only reachable through
   * ~4 million accepted steps) the node cannot refute: it never wraps to a
   * low number that everyone would ignore; it counts, logs and stays put,
   * and will be declared failed — restart it under a new id.
   */
  private refute (accused: number): void {
    let next: number
    try {
      next = nextCounter(INCARNATIONS, Math.max(this.self.incarnation, accused))
    } catch (err) {
      if (!(err instanceof CounterExhaustedError)) throw err
      this.ctx.onDropped('incarnation-exhausted')
      this.ctx.logger.error('cannot refute: this node\'s incarnation is at the end of its range; restart it under a new id', { incarnation: this.self.incarnation, accused })
      return
    }
    this.self.incarnation = next
    this.ctx.awareness.applyDelta(1)
    this.broadcast(this.selfAlive())
  }

  private broadcast (m: MembershipMessage, onDone?: () => void): void {
    this.ctx.queue.enqueue(m.node, m, messageSize(m), onDone)
  }

  private emit (type: MemberEventType, state: MemberRecord): void {
    this.ctx.outbox.emit({ type, member: snapshot(state) })
  }
}
