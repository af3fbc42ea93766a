import { DEFAULT_HEALTH_FLOOR_MS, NotLeaderError, NotStartedError, createRandom, noopMetrics, silentLogger, systemClock, type Clock, type Logger, type Random, type TimerHandle, type TypedEventEmitter } from '@clusterfunk/core'
import { EMPTY_CONFIGURATION, type Configuration, type NodeId } from './configuration.js'
import { Deadlines } from './deadlines.js'
import { LogCache } from './log-cache.js'
import { loadState } from './load-state.js'
import type { InstallSnapshotRequest, Message } from './messages.js'
import { MembershipCalls } from './membership-calls.js'
import { PeerLink } from './peer-link.js'
import { PendingRequests } from './pending-requests.js'
import { RaftCore } from './raft-core.js'
import { RaftMetrics } from './raft-metrics.js'
import type { ResolvedRaftInit } from './raft-options.js'
import type { RaftComponents, RaftEvents } from './raft-types.js'
import type { DropReason } from './ranges.js'
import { ReadBatches } from './read-batches.js'
import { ReadyHandler } from './ready-handler.js'
import type { SnapshotInfo } from './snapshot-store.js'
import { SnapshotManager } from './snapshots.js'
import type { Entry, HardState, Role, SnapshotMetadata } from './types.js'

/**
 * The machinery under `Raft`, as etcd's `node` wraps its `RawNode`: it
 * builds the core over the stores, ticks it by the clock, and runs the
 * Ready cycle (a `ReadyHandler` persists, sends and applies; then
 * `advance()`). It owns the pending requests, the peer link, the snapshot
 * work and the membership calls; `Raft` is the public face over it.
 */
export class RaftLoop<Result = unknown> {
  readonly init: ResolvedRaftInit
  readonly clock: Clock
  readonly logger: Logger
  private readonly random: Random
  readonly metrics: RaftMetrics
  readonly snapshots: SnapshotManager
  readonly pending: PendingRequests
  /** Linearizable reads, batched into shared ReadIndex requests. */
  readonly reads: ReadBatches
  readonly peers: PeerLink
  readonly membership: MembershipCalls
  private readonly components: RaftComponents<Result>
  private readonly emitter: TypedEventEmitter<RaftEvents>
  /** The deadlines of pending proposals, reads and waits, on one timer. */
  private readonly deadlines: Deadlines
  private readonly handler: ReadyHandler<Result>
  private started = false
  private coreNow: RaftCore | undefined
  private cacheNow: LogCache | undefined
  private ticker: TimerHandle | undefined
  /** When the core was last ticked (advanced by whole ticks). */
  private tickedAt = 0
  /** Ticks since the last heartbeat's bookkeeping. */
  private beatTicks = 0
  /** Pending `flushCommit()` (see `RaftCore.commitFlushDue`). */
  private commitFlush: TimerHandle | undefined
  private looping = false
  private loopDone: Promise<void> = Promise.resolve()
  private failed: Error | undefined
  private roleNow: Role = 'follower'
  private leaderNow: NodeId | undefined
  private readSeq = 0
  /** Messages the core dropped, by reason (also the metric `clusterfunk_raft_dropped_messages_total`). */
  private readonly droppedCounts: Record<DropReason, number> = { outOfRange: 0, implausibleTerm: 0 }

  constructor (components: RaftComponents<Result>, init: ResolvedRaftInit, emitter: TypedEventEmitter<RaftEvents>) {
    this.components = components
    this.init = init
    this.emitter = emitter
    this.clock = components.clock ?? systemClock
    this.logger = components.logger ?? silentLogger('raft')
    this.random = components.random ?? createRandom()
    this.metrics = new RaftMetrics(components.metrics ?? noopMetrics)
    this.snapshots = new SnapshotManager(components.snapshotStore, this.logger)
    this.deadlines = new Deadlines(this.clock)
    this.pending = new PendingRequests({ clock: this.clock, deadlines: this.deadlines, requestTimeoutMs: init.requestTimeoutMs, maxUncommittedBytes: init.maxUncommittedBytes })
    this.reads = new ReadBatches({
      clock: this.clock,
      deadlines: this.deadlines,
      pending: this.pending,
      requestTimeoutMs: init.requestTimeoutMs,
      retryMs: init.electionMs,
      nextId: () => this.nextReadId(),
      request: (requestId, lease) => {
        const r = this.running().readIndex(requestId, { lease })
        if (r.ok) this.kick()
        return r
      }
    })
    this.peers = new PeerLink({
      transport: components.transport,
      clock: this.clock,
      emitter,
      snapshots: this.snapshots,
      maxBatchEntries: init.maxBatchEntries,
      electionMs: init.electionMs,
      onSnapshotSent: (to, ok) => { this.coreNow?.reportSnapshot(to, ok); this.kick() }
    })
    this.handler = new ReadyHandler<Result>({
      logStore: components.logStore,
      stableStore: components.stableStore,
      fsm: components.fsm,
      clock: this.clock,
      snapshots: this.snapshots,
      peers: this.peers,
      pending: this.pending,
      metrics: this.metrics,
      emitter,
      heartbeatMs: init.heartbeatMs,
      fail: (err) => { this.fail(err) },
      notLeader: (message) => this.notLeader(message)
    })
    this.membership = new MembershipCalls(this)
  }

  get core (): RaftCore | undefined { return this.coreNow }
  get cache (): LogCache | undefined { return this.cacheNow }
  get failure (): Error | undefined { return this.failed }
  get applied (): number { return this.handler.applied }
  get appliedConfig (): Configuration { return this.handler.appliedConfig }
  get leaderId (): NodeId | undefined { return this.leaderNow }
  get dropped (): Readonly<Record<DropReason, number>> { return this.droppedCounts }

  async start (): Promise<void> {
    this.components.transport.setHandler({
      onMessage: (m, from) => { this.onMessage(m, from) },
      onSnapshot: async (header, data) => await this.onSnapshot(header, data)
    })
    await this.load()
    await this.components.transport.start()
    this.started = true
    this.scheduleTick()
  }

  async stop (stopped: () => Error): Promise<void> {
    this.started = false
    if (this.ticker !== undefined) this.clock.clearTimeout(this.ticker)
    this.ticker = undefined
    if (this.commitFlush !== undefined) this.clock.clearTimeout(this.commitFlush)
    this.commitFlush = undefined
    await this.loopDone
    if (this.failed === undefined) await this.handler.flushCommit()
    await this.components.transport.stop()
    this.snapshots.abortSends()
    await this.snapshots.idle()
    this.pending.rejectAll(stopped)
    this.deadlines.clear()
    this.coreNow = undefined
  }

  /** The core, or throws: the node failed, or it is not started. */
  running (): RaftCore {
    if (this.failed !== undefined) throw this.failed
    if (this.coreNow === undefined || !this.started) throw new NotStartedError('the raft node is not started')
    return this.coreNow
  }

  /** Writes the bootstrap configuration as entry 1 and rebuilds the core over it. */
  async bootstrap (configuration: Configuration): Promise<void> {
    const entry: Entry = { index: 1, term: 1, type: 'config', data: new Uint8Array(0), configuration }
    await this.components.logStore.storeLogs([entry])
    const hard: HardState = { term: 1, vote: undefined, commit: 0 }
    await this.components.stableStore.setHardState(hard)
    this.handler.loaded(hard, { index: 0, term: 0, configuration: EMPTY_CONFIGURATION })
    this.buildCore(new LogCache({ index: 0, term: 0, configuration: EMPTY_CONFIGURATION }, hard, [entry]))
    this.handler.checkConfiguration(this.coreNow as RaftCore)
  }

  get savedHard (): HardState { return this.handler.savedHard }

  /** A request id for a read. */
  nextReadId (): string {
    return `${this.init.id}:${++this.readSeq}`
  }

  /**
   * Ticks the core once for every `tickMs` that passed since its last tick.
   * A timer fires late, never early, and not at all while the process is
   * paused (a long GC, SIGSTOP, a VM migration): the core must count the
   * ticks it missed, or a paused leader would wake up believing its read
   * lease still holds. Called by the tick timer and before any input that
   * may be answered from the lease (a read, a message).
   */
  catchUpTicks (): void {
    const core = this.coreNow
    if (core === undefined || !this.started) return
    const now = this.clock.now()
    const due = Math.floor((now - this.tickedAt) / this.init.tickMs)
    if (due <= 0) return
    const delayTicks = this.localDelayTicks(now - this.tickedAt - this.init.tickMs)
    // Two election timeouts end every lease and fire every timeout; ticks past them would change nothing.
    const cap = 2 * this.init.electionTicks
    this.tickedAt = due > cap ? now : this.tickedAt + due * this.init.tickMs
    for (let i = 0; i < Math.min(due, cap); i++) {
      core.tick(delayTicks)
      if (++this.beatTicks >= this.init.heartbeatTicks) {
        // Once a heartbeat, not once a tick: the bookkeeping below reads the whole status.
        this.beatTicks = 0
        this.onHeartbeat(core)
        if (!this.looping && this.failed === undefined) this.handler.saveCommit()
      }
    }
    this.kick()
  }

  /**
   * This process's stall just before these ticks, in ticks: how late the
   * tick timer fired (a paused, descheduled or blocked process runs its
   * timers late by about as long). Below core's noise floor, 0. Only the
   * stall itself is given: the core widens the current election or
   * check-quorum period by it, not the periods after (a measure that
   * remembered stalls for seconds would delay every failover meanwhile).
   */
  private localDelayTicks (lateMs: number): number {
    return lateMs >= DEFAULT_HEALTH_FLOOR_MS ? Math.floor(lateMs / this.init.tickMs) : 0
  }

  /**
   * Runs the loop once the current task's synchronous work is done (a
   * microtask: never re-entrantly, and input that arrives meanwhile batches
   * into the same Ready). Not a macrotask: a proposal made as the previous
   * one resolves would then wait a whole event-loop turn (≈ 0.3 ms of a
   * 2 ms commit on the benchmark) before its AppendEntries went out.
   */
  kick (): void {
    if (this.looping || this.coreNow === undefined || this.failed !== undefined) return
    this.looping = true
    this.loopDone = new Promise<void>(resolve => {
      queueMicrotask(() => { void this.loop().finally(resolve) })
    })
  }

  /** Takes a snapshot of what is applied (if anything is new) and compacts the log behind it. */
  async takeSnapshot (): Promise<SnapshotInfo | undefined> {
    const cache = this.cacheNow as LogCache
    const index = this.handler.applied
    const term = cache.term(index)
    if (index === 0 || term === undefined) return undefined
    const meta: SnapshotMetadata = { index, term, configuration: this.handler.appliedConfig }
    const info = await this.snapshots.take(meta, this.components.fsm.snapshot())
    if (info === undefined || this.cacheNow !== cache) return info
    if (info.index > cache.snapshotMetadata().index) cache.setSnapshot(meta)
    const compactTo = cache.snapshotMetadata().index - this.init.trailingLogs
    if (compactTo >= cache.firstIndex()) {
      // Unsynced and outside the append queue: the prefix is disjoint from any append (appends never
      // truncate below the commit index), and a compaction lost in a crash only leaves extra entries.
      cache.compactTo(compactTo)
      await this.components.logStore.compactTo(compactTo, { sync: false })
    }
    this.metrics.snapshots.inc()
    return info
  }

  /** The error for a request only a leader serves (or one whose entry surely did not commit). */
  notLeader (message?: string): NotLeaderError {
    const leader = this.leaderNow === this.init.id ? undefined : this.leaderNow
    const config = this.coreNow?.status().configuration ?? EMPTY_CONFIGURATION
    return new NotLeaderError(leader, leader === undefined ? undefined : this.peers.addressOf(leader, config), message)
  }

  /** Reads the newest good snapshot, the hard state and the log, and builds the core over them. */
  private async load (): Promise<void> {
    const { hard, snapshot, cache } = await loadState(this.components, this.snapshots)
    this.handler.loaded(hard, snapshot)
    this.buildCore(cache)
  }

  private buildCore (cache: LogCache): void {
    this.cacheNow = cache
    this.coreNow = new RaftCore({
      id: this.init.id,
      storage: cache,
      random: this.random,
      logger: this.logger,
      electionTicks: this.init.electionTicks,
      heartbeatTicks: this.init.heartbeatTicks,
      readOnly: this.init.readOnly,
      preVote: this.init.preVote,
      checkQuorum: this.init.checkQuorum,
      maxEntriesPerMsg: this.init.maxEntriesPerMsg,
      maxInflight: this.init.maxInflight,
      applied: this.handler.applied
    })
    this.tickedAt = this.clock.now()
    this.beatTicks = 0
    this.peers.learn(this.coreNow.status().configuration)
  }

  private scheduleTick (): void {
    this.ticker = this.clock.setTimeout(() => {
      if (this.coreNow === undefined || !this.started) return
      this.catchUpTicks()
      this.scheduleTick()
    }, this.init.tickMs)
  }

  private async loop (): Promise<void> {
    try {
      for (;;) {
        const core = this.coreNow
        if (core === undefined || !core.hasReady()) break
        const rd = core.ready()
        if (rd.softState !== undefined) this.onSoftState(rd.softState.role, rd.softState.leaderId, core)
        await this.handler.handle(core, this.cacheNow as LogCache, rd, this.roleNow === 'leader')
        core.advance()
        this.afterAdvance()
      }
    } catch (err) {
      this.fail(err as Error)
    } finally {
      this.looping = false
    }
    if (this.failed !== undefined) return
    if (this.coreNow?.hasReady() === true) this.kick()
    else if (this.coreNow?.commitFlushDue() === true) this.scheduleCommitFlush()
  }

  /**
   * Tells the followers a commit index no append carried, after a timer of
   * 0 ms: proposals that the applied entries' callers make meanwhile carry
   * it instead, and no extra round of messages is spent on it.
   */
  private scheduleCommitFlush (): void {
    if (this.commitFlush !== undefined) return
    this.commitFlush = this.clock.setTimeout(() => {
      this.commitFlush = undefined
      if (this.coreNow === undefined || !this.started) return
      this.coreNow.flushCommit()
      this.kick()
    }, 0)
  }

  private afterAdvance (): void {
    const cache = this.cacheNow as LogCache
    if (this.handler.applied - cache.snapshotMetadata().index >= this.init.snapshotThreshold && !this.snapshots.taking) {
      this.takeSnapshot().catch((err: Error) => { this.logger.warn('automatic snapshot failed', { err: err.message }) })
    }
  }

  private fail (err: Error): void {
    this.failed = err
    this.logger.error('raft node failed; it stops serving', { err: err.message })
    this.pending.rejectAll(() => err)
  }

  private onSoftState (role: Role, leaderId: NodeId | undefined, core: RaftCore): void {
    const term = core.status().term
    if (role !== this.roleNow) {
      this.roleNow = role
      this.emitter.emit('role:change', { role, term })
      if (role === 'leader') this.peers.reset()
    }
    if (leaderId !== this.leaderNow) {
      this.leaderNow = leaderId
      if (leaderId !== undefined) this.metrics.leaderChanges.inc()
      this.emitter.emit('leader:change', { leaderId, address: leaderId === undefined ? undefined : this.peers.addressOf(leaderId), term })
    }
  }

  private onHeartbeat (core: RaftCore): void {
    const status = core.status()
    this.metrics.term.set(status.term)
    if (status.configurationIndex > 0) this.peers.learn(status.configuration)
    if (status.role !== 'leader') return
    this.peers.checkContact(status.configuration, this.init.id)
    this.membership.promoteCaughtUp(core, status)
  }

  private onMessage (m: Message, fromAddress: string | undefined): void {
    const core = this.coreNow
    if (core === undefined || !this.started) return
    // A forwarded read may be answered from the lease: count the time first (see catchUpTicks).
    this.catchUpTicks()
    this.peers.received(m, fromAddress)
    const dropped = core.step(m)
    if (dropped !== undefined) { this.countDrop(dropped); return }
    this.kick()
  }

  private async onSnapshot (header: InstallSnapshotRequest, data: AsyncIterable<Uint8Array>): Promise<boolean> {
    if (this.coreNow === undefined || !this.started) return false
    // Refuse before storing anything what the core would drop anyway.
    const dropped = this.coreNow.screen(header)
    if (dropped !== undefined) { this.countDrop(dropped); return false }
    const ok = await this.snapshots.receive(header.snapshot, data)
    if (ok && this.coreNow !== undefined) {
      this.coreNow.step(header)
      this.kick()
    }
    return ok
  }

  private countDrop (reason: DropReason): void {
    this.droppedCounts[reason]++
    this.metrics.onDropped(reason)
  }
}
