import type { ClusterfunkError} from '@clusterfunk/core';
import { AbortError, NotLeaderError, NotStartedError, Service, TypedEventEmitter, createRandom, noopMetrics, silentLogger, systemClock, type Clock, type Logger, type Random, type TimerHandle } from '@clusterfunk/core'
import { groupMessages } from './batching.js'
import { EMPTY_CONFIGURATION, isNonVoter, isVoter, memberAddress, type Configuration, type NodeId } from './configuration.js'
import { Deadlines } from './deadlines.js'
import { deferred, type Deferred } from './deferred.js'
import type { Fsm } from './fsm.js'
import { LogCache } from './log-cache.js'
import { CorruptStoreError } from './level-store.js'
import type { LogStore, StableStore } from './log-store.js'
import type { InstallSnapshotRequest, Message } from './messages.js'
import { RaftCore } from './raft-core.js'
import type { DropReason } from './ranges.js'
import { RaftMetrics } from './raft-metrics.js'
import { resolveRaftInit, type RaftInit, type ResolvedRaftInit } from './raft-options.js'
import type { RaftComponents, RaftEvents, RequestOptions } from './raft-types.js'
import type { Ready } from './ready.js'
import type { SnapshotInfo, SnapshotStore } from './snapshot-store.js'
import { SnapshotManager } from './snapshots.js'
import type { RaftTransport } from './transport.js'
import type { Entry, HardState, SnapshotMetadata } from './types.js'

export interface Proposal { readonly term: number, readonly started: number, readonly d: Deferred<unknown> }
export interface PendingRead { index: number | undefined, readonly d: Deferred<number> }
export interface Waiter { readonly until: () => boolean, readonly d: Deferred<void> }

/**
 * The machinery under `Raft`: it builds the core over the stores, ticks it,
 * and handles each Ready strictly in order (persist with sync, send, apply
 * to the FSM, `advance()`). `Raft` adds the public API on top.
 */
export abstract class RaftDriver<Result = unknown> extends Service {
  protected readonly emitter = new TypedEventEmitter<RaftEvents>()
  readonly init: ResolvedRaftInit
  protected readonly transport: RaftTransport
  protected readonly logStore: LogStore
  protected readonly stableStore: StableStore
  protected readonly fsm: Fsm<Result>
  protected readonly clock: Clock
  protected readonly random: Random
  protected readonly logger: Logger
  protected readonly metrics: RaftMetrics
  protected readonly snapshots: SnapshotManager
  /** The deadlines of pending proposals, reads and waits, on one timer. */
  protected readonly deadlines: Deadlines
  protected core: RaftCore | undefined
  protected cache: LogCache | undefined
  protected ticker: TimerHandle | undefined
  /** When the core was last ticked (advanced by whole ticks). */
  protected tickedAt = 0
  /** Ticks since the last heartbeat's bookkeeping (`onTick`, `saveCommit`). */
  protected beatTicks = 0
  /** Pending `flushCommit()` (see `RaftCore.commitFlushDue`). */
  protected commitFlush: TimerHandle | undefined
  /** A commit index newer than the stored hard state's waits to be written (at most once a heartbeat). */
  protected commitUnsaved = false
  protected commitSavedAt = -Infinity
  protected looping = false
  protected loopDone: Promise<void> = Promise.resolve()
  protected failure: Error | undefined
  protected savedHard: HardState = { term: 0, vote: undefined, commit: 0 }
  protected applied = 0
  protected appliedConfig: Configuration = EMPTY_CONFIGURATION
  protected readonly addresses = new Map<NodeId, string>()
  protected readonly proposals = new Map<number, Proposal>()
  protected readonly reads = new Map<string, PendingRead>()
  protected readonly waiters = new Set<Waiter>()
  protected readonly toPromote = new Set<NodeId>()
  protected readonly lastContact = new Map<NodeId, number>()
  protected readonly failedPeers = new Set<NodeId>()
  protected readSeq = 0
  /** Messages the core dropped, by reason (also the metric `clusterfunk_raft_dropped_messages_total`). */
  protected readonly dropped: Record<DropReason, number> = { outOfRange: 0, implausibleTerm: 0 }
  protected role = 'follower'
  protected leaderId: NodeId | undefined

  constructor (components: RaftComponents<Result>, init: RaftInit) {
    super()
    this.init = resolveRaftInit(init)
    this.transport = components.transport
    this.logStore = components.logStore
    this.stableStore = components.stableStore
    this.fsm = components.fsm
    this.clock = components.clock ?? systemClock
    this.random = components.random ?? createRandom()
    this.logger = components.logger ?? silentLogger('raft')
    this.metrics = new RaftMetrics(components.metrics ?? noopMetrics)
    this.snapshots = new SnapshotManager(components.snapshotStore, this.logger)
    this.deadlines = new Deadlines(this.clock)
  }

  get id (): NodeId { return this.init.id }
  get address (): string { return this.init.address ?? this.transport.address }
  get snapshotStore (): SnapshotStore { return this.snapshots.store }

  protected async onStart (): Promise<void> {
    this.transport.setHandler({
      onMessage: (m, from) => { this.onMessage(m, from) },
      onSnapshot: async (header, data) => await this.onSnapshot(header, data)
    })
    await this.load()
    await this.transport.start()
    this.scheduleTick()
  }

  protected async onStop (): Promise<void> {
    if (this.ticker !== undefined) this.clock.clearTimeout(this.ticker)
    this.ticker = undefined
    if (this.commitFlush !== undefined) this.clock.clearTimeout(this.commitFlush)
    this.commitFlush = undefined
    await this.loopDone
    if (this.commitUnsaved && this.failure === undefined) {
      this.commitUnsaved = false
      await this.stableStore.setHardState(this.savedHard, { sync: false })
    }
    await this.transport.stop()
    this.snapshots.abortSends()
    await this.snapshots.idle()
    const stopped = (): AbortError => new AbortError('the raft node stopped')
    for (const p of [...this.proposals.values()]) p.d.reject(stopped())
    for (const r of [...this.reads.values()]) r.d.reject(stopped())
    for (const w of [...this.waiters]) w.d.reject(stopped())
    this.deadlines.clear()
    this.core = undefined
  }

  /** Reads the newest good snapshot, the hard state and the log, and builds the core over them. */
  protected async load (): Promise<void> {
    const snap = await this.snapshots.restoreNewest(this.fsm)
    const meta: SnapshotMetadata = snap ?? { index: 0, term: 0, configuration: EMPTY_CONFIGURATION }
    const hard = await this.stableStore.getHardState()
    const first = this.logStore.firstIndex()
    const last = this.logStore.lastIndex()
    if (last > 0 && first > meta.index + 1) {
      throw new CorruptStoreError(`the log starts at ${first} but the newest usable snapshot ends at ${meta.index}: entries ${meta.index + 1}..${first - 1} are missing`)
    }
    // A leader's snapshot is stored before the log it replaces is cleared: a crash between the two leaves a log
    // that ends before the snapshot or disagrees with it at its index. Finish the clear.
    if (snap !== undefined && last > 0 && (last < meta.index || (first <= meta.index && (await this.logStore.getLogs(meta.index, meta.index + 1))[0]?.term !== meta.term))) {
      await this.logStore.clearLogs()
    }
    const held = this.logStore.lastIndex()
    const entries = held > 0 ? await this.logStore.getLogs(Math.max(this.logStore.firstIndex(), meta.index + 1), held + 1) : []
    const cache = new LogCache(meta, { ...hard, commit: Math.min(hard.commit, Math.max(held, meta.index)) }, entries)
    this.savedHard = hard
    this.applied = meta.index
    this.appliedConfig = meta.configuration
    this.buildCore(cache)
  }

  protected buildCore (cache: LogCache): void {
    this.cache = cache
    this.core = new RaftCore({
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
      applied: this.applied
    })
    this.tickedAt = this.clock.now()
    this.beatTicks = 0
    this.learnAddresses(this.core.status().configuration)
  }

  /**
   * Starts a new group with `configuration` (which should include this
   * node). Only a node with no state may bootstrap; bootstrapping every
   * initial member with the same configuration is safe.
   */
  // ---- the driver loop ----

  protected running (): RaftCore {
    if (this.failure !== undefined) throw this.failure
    if (this.core === undefined || this.status !== 'started') throw new NotStartedError('the raft node is not started')
    return this.core
  }

  protected scheduleTick (): void {
    this.ticker = this.clock.setTimeout(() => {
      if (this.core === undefined || this.status === 'stopping') return
      this.catchUpTicks()
      this.scheduleTick()
    }, this.init.tickMs)
  }

  /**
   * Ticks the core once for every `tickMs` that passed since its last tick.
   * A timer fires late, never early, and not at all while the process is
   * paused (a long GC, SIGSTOP, a VM migration): the core must count the
   * ticks it missed, or a paused leader would wake up believing its read
   * lease still holds. Called by the tick timer and before any input that
   * may be answered from the lease (a read, a message).
   */
  protected catchUpTicks (): void {
    const core = this.core
    if (core === undefined || this.status !== 'started') return
    const now = this.clock.now()
    const due = Math.floor((now - this.tickedAt) / this.init.tickMs)
    if (due <= 0) return
    // Two election timeouts end every lease and fire every timeout; ticks past them would change nothing.
    const cap = 2 * this.init.electionTicks
    this.tickedAt = due > cap ? now : this.tickedAt + due * this.init.tickMs
    for (let i = 0; i < Math.min(due, cap); i++) {
      core.tick()
      if (++this.beatTicks >= this.init.heartbeatTicks) {
        // Once a heartbeat, not once a tick: the bookkeeping below reads the whole status.
        this.beatTicks = 0
        this.onTick()
        this.saveCommit()
      }
    }
    this.kick()
  }

  /**
   * Runs the loop once the current task's synchronous work is done (a
   * microtask: never re-entrantly, and input that arrives meanwhile batches
   * into the same Ready). Not a macrotask: a proposal made as the previous
   * one resolves would then wait a whole event-loop turn (≈ 0.3 ms of a
   * 2 ms commit on the benchmark) before its AppendEntries went out.
   */
  protected kick (): void {
    if (this.looping || this.core === undefined || this.failure !== undefined) return
    this.looping = true
    this.loopDone = new Promise<void>(resolve => {
      queueMicrotask(() => { void this.loop().finally(resolve) })
    })
  }

  protected async loop (): Promise<void> {
    try {
      for (;;) {
        const core = this.core
        if (core === undefined || !core.hasReady()) break
        const rd = core.ready()
        await this.handleReady(core, rd)
        core.advance()
        this.afterAdvance()
      }
    } catch (err) {
      this.fail(err as Error)
    } finally {
      this.looping = false
    }
    if (this.failure !== undefined) return
    if (this.core?.hasReady() === true) this.kick()
    else if (this.core?.commitFlushDue() === true) this.scheduleCommitFlush()
  }

  /**
   * Tells the followers a commit index no append carried, after a timer of
   * 0 ms: proposals that the applied entries' callers make meanwhile carry
   * it instead, and no extra round of messages is spent on it.
   */
  protected scheduleCommitFlush (): void {
    if (this.commitFlush !== undefined) return
    this.commitFlush = this.clock.setTimeout(() => {
      this.commitFlush = undefined
      if (this.core === undefined || this.status === 'stopping') return
      this.core.flushCommit()
      this.kick()
    }, 0)
  }

  /**
   * Writes the hard state when only its commit index is newer than what is
   * stored, unsynced, outside a running loop (so it cannot overtake a synced
   * term or vote). A commit index need not be durable: a restarted node
   * learns it again; storing it only lets a lone restart apply sooner.
   */
  protected saveCommit (): void {
    if (!this.commitUnsaved || this.looping || this.failure !== undefined) return
    this.commitUnsaved = false
    this.commitSavedAt = this.clock.now()
    this.stableStore.setHardState(this.savedHard, { sync: false }).catch((err: Error) => { this.fail(err) })
  }

  protected fail (err: Error): void {
    this.failure = err
    this.logger.error('raft node failed; it stops serving', { err: err.message })
    for (const p of [...this.proposals.values()]) p.d.reject(err)
    for (const r of [...this.reads.values()]) r.d.reject(err)
    for (const w of [...this.waiters]) w.d.reject(err)
  }

  protected async handleReady (core: RaftCore, rd: Ready): Promise<void> {
    const cache = this.cache as LogCache
    if (rd.softState !== undefined) this.onSoftState(rd.softState.role, rd.softState.leaderId, core)
    // A leader may send its appends before its own write is durable (dissertation §10.2.1): the core
    // counts the leader's own log towards a commit only after advance(). Every other message waits.
    const early = rd.softState?.role === 'leader' || (rd.softState === undefined && this.role === 'leader')
    const later = early ? rd.messages.filter(m => m.type !== 'appendEntries' && m.type !== 'heartbeat') : rd.messages
    // A member this Ready's configuration entry adds gets its first append now, so its address must be known
    // now (otherwise it is reported unreachable and first contacted a heartbeat later).
    for (const e of rd.entries) if (e.configuration !== undefined) this.learnAddresses(e.configuration)
    if (early && later.length < rd.messages.length) this.send(core, rd.messages.filter(m => m.type === 'appendEntries' || m.type === 'heartbeat'))
    // 1. Persist: snapshot, entries (one synced batch), hard state.
    if (rd.snapshot !== undefined) {
      await this.snapshots.withDisk(async () => { await this.logStore.clearLogs() })
      cache.installSnapshot(rd.snapshot)
    }
    const writes: Array<Promise<void>> = []
    if (rd.entries.length > 0) writes.push(this.snapshots.withDisk(async () => { await this.logStore.storeLogs(rd.entries) }))
    const hs = rd.hardState
    if (hs !== undefined) {
      if (hs.term !== this.savedHard.term || hs.vote !== this.savedHard.vote) {
        writes.push(this.stableStore.setHardState(hs, { sync: true }))
        this.commitUnsaved = false
      } else if (this.clock.now() - this.commitSavedAt >= this.init.heartbeatMs) {
        // Only the commit index moved: it need not be durable (a restarted node learns it again), so the
        // write is queued unsynced and not waited for, at most once a heartbeat (the tick writes the rest).
        // The store applies writes in order.
        this.commitSavedAt = this.clock.now()
        this.commitUnsaved = false
        this.stableStore.setHardState(hs, { sync: false }).catch((err: Error) => { this.fail(err) })
      } else {
        this.commitUnsaved = true
      }
    }
    await Promise.all(writes)
    if (rd.entries.length > 0) cache.append(rd.entries)
    if (hs !== undefined) { cache.setHardState(hs); this.savedHard = hs; this.metrics.onHardState(hs) }
    if (rd.entries.length > 0 || rd.snapshot !== undefined) this.checkConfiguration(core)
    // 2. Send.
    this.send(core, later)
    // 3. Apply: a snapshot first, then committed entries in order.
    if (rd.snapshot !== undefined) await this.restoreSnapshot(rd.snapshot)
    for (const e of rd.committedEntries) this.applyEntry(e)
    // 4. Reads.
    for (const rs of rd.readStates) {
      const r = this.reads.get(rs.requestId)
      if (r !== undefined) r.index = rs.index
    }
    this.settleWaiting()
  }

  protected configIndex = -1

  protected checkConfiguration (core: RaftCore): void {
    const s = core.status()
    if (s.configurationIndex === this.configIndex) return
    this.configIndex = s.configurationIndex
    this.learnAddresses(s.configuration)
    this.emitter.emit('peer:change', { configuration: s.configuration, index: s.configurationIndex })
  }

  protected send (core: RaftCore, messages: readonly Message[]): void {
    if (messages.length === 0) return
    for (const [to, list] of groupMessages(messages, this.init.maxBatchEntries)) {
      const address = this.addresses.get(to)
      const plain: Message[] = []
      for (const m of list) {
        if (m.type === 'installSnapshot') this.snapshots.send(m, address, this.transport, (ok) => { this.core?.reportSnapshot(to, ok); this.kick() })
        else plain.push(m)
      }
      if (plain.length === 0) continue
      if (address === undefined || !this.transport.send(to, address, plain)) core.reportUnreachable(to)
    }
  }

  protected applyEntry (e: Entry): void {
    let result: unknown
    let error: Error | undefined
    if (e.type === 'normal') {
      try {
        result = this.fsm.apply(e)
      } catch (err) {
        error = err instanceof Error ? err : new Error(String(err))
      }
    } else if (e.type === 'config' && e.configuration !== undefined) {
      this.appliedConfig = e.configuration
    }
    this.applied = e.index
    const p = this.proposals.get(e.index)
    if (p !== undefined) {
      if (p.term !== e.term) p.d.reject(this.notLeader('leadership was lost before the entry committed'))
      else if (error !== undefined) p.d.reject(error)
      else {
        this.metrics.commitLatency.observe(this.clock.now() - p.started)
        p.d.resolve(result)
      }
    }
    this.metrics.applied.set(e.index)
  }

  protected async restoreSnapshot (meta: SnapshotMetadata): Promise<void> {
    await this.snapshots.restoreReceived(meta, this.fsm)
    this.applied = meta.index
    this.appliedConfig = meta.configuration
    this.learnAddresses(meta.configuration)
    for (const [index, p] of [...this.proposals]) if (index <= meta.index) p.d.reject(this.notLeader('the entry was replaced by a snapshot from the leader; its outcome is unknown'))
  }

  protected settleWaiting (): void {
    for (const r of this.reads.values()) if (r.index !== undefined && this.applied >= r.index) r.d.resolve(this.applied)
    for (const w of this.waiters) if (w.until()) w.d.resolve()
  }

  protected afterAdvance (): void {
    const cache = this.cache as LogCache
    if (this.applied - cache.snapshotMetadata().index >= this.init.snapshotThreshold && !this.snapshots.taking) {
      this.takeSnapshot().catch((err: Error) => { this.logger.warn('automatic snapshot failed', { err: err.message }) })
    }
  }

  protected async takeSnapshot (): Promise<SnapshotInfo | undefined> {
    const cache = this.cache as LogCache
    const index = this.applied
    const term = cache.term(index)
    if (index === 0 || term === undefined) return undefined
    const meta: SnapshotMetadata = { index, term, configuration: this.appliedConfig }
    const info = await this.snapshots.take(meta, this.fsm.snapshot())
    if (info === undefined || this.cache !== cache) return info
    if (info.index > cache.snapshotMetadata().index) cache.setSnapshot(meta)
    const compactTo = cache.snapshotMetadata().index - this.init.trailingLogs
    if (compactTo >= cache.firstIndex()) {
      // Unsynced and outside the append queue: the prefix is disjoint from any append (appends never
      // truncate below the commit index), and a compaction lost in a crash only leaves extra entries.
      cache.compactTo(compactTo)
      await this.logStore.compactTo(compactTo, { sync: false })
    }
    this.metrics.snapshots.inc()
    return info
  }

  protected onSoftState (role: string, leaderId: NodeId | undefined, core: RaftCore): void {
    const term = core.status().term
    if (role !== this.role) {
      this.role = role
      this.emitter.emit('role:change', { role: role as RaftEvents['role:change']['role'], term })
      if (role === 'leader') { this.lastContact.clear(); this.failedPeers.clear() }
    }
    if (leaderId !== this.leaderId) {
      this.leaderId = leaderId
      if (leaderId !== undefined) this.metrics.leaderChanges.inc()
      this.emitter.emit('leader:change', { leaderId, address: leaderId === undefined ? undefined : this.addresses.get(leaderId), term })
    }
  }

  protected onTick (): void {
    const core = this.core as RaftCore
    const status = core.status()
    this.metrics.term.set(status.term)
    if (status.configurationIndex > 0) this.learnAddresses(status.configuration)
    if (status.role !== 'leader') return
    const now = this.clock.now()
    for (const m of [...status.configuration.voters, ...status.configuration.nonVoters]) {
      if (m.id === this.id) continue
      const last = this.lastContact.get(m.id)
      if (last === undefined) { this.lastContact.set(m.id, now); continue }
      if (now - last > this.init.electionMs && !this.failedPeers.has(m.id)) {
        this.failedPeers.add(m.id)
        this.emitter.emit('heartbeat:failed', { id: m.id, lastContactMs: now - last })
      }
    }
    for (const id of this.toPromote) {
      const pr = status.progress.get(id)
      if (!isNonVoter(status.configuration, id)) { if (isVoter(status.configuration, id)) this.toPromote.delete(id); continue }
      if (pr !== undefined && pr.match + this.init.catchUpLag >= status.lastIndex && core.proposeConfigChange({ type: 'promote', id }).ok) this.toPromote.delete(id)
    }
  }

  protected onMessage (m: Message, fromAddress: string | undefined): void {
    const core = this.core
    if (core === undefined || this.status !== 'started') return
    // A forwarded read may be answered from the lease: count the time first (see catchUpTicks).
    this.catchUpTicks()
    if (fromAddress !== undefined && !this.addresses.has(m.from)) this.addresses.set(m.from, fromAddress)
    if (m.type === 'appendEntriesResponse' || m.type === 'heartbeatResponse') {
      this.lastContact.set(m.from, this.clock.now())
      if (this.failedPeers.delete(m.from)) this.emitter.emit('heartbeat:resumed', { id: m.from })
    }
    const dropped = core.step(m)
    if (dropped !== undefined) {
      this.dropped[dropped]++
      this.metrics.droppedMessages.inc({ reason: dropped })
      return
    }
    this.kick()
  }

  protected async onSnapshot (header: InstallSnapshotRequest, data: AsyncIterable<Uint8Array>): Promise<boolean> {
    if (this.core === undefined || this.status !== 'started') return false
    // Refuse before storing anything what the core would drop anyway.
    const dropped = this.core.screen(header)
    if (dropped !== undefined) {
      this.dropped[dropped]++
      this.metrics.droppedMessages.inc({ reason: dropped })
      return false
    }
    const ok = await this.snapshots.receive(header.snapshot, data)
    if (ok && this.core !== undefined) {
      this.core.step(header)
      this.kick()
    }
    return ok
  }

  protected async waitUntil (until: () => boolean, what: string, options: RequestOptions): Promise<void> {
    if (until()) return
    const d = deferred<void>({ clock: this.clock, deadlines: this.deadlines, timeoutMs: options.timeoutMs ?? this.init.requestTimeoutMs, signal: options.signal, what, onSettle: () => { this.waiters.delete(w) } })
    const w: Waiter = { until, d }
    this.waiters.add(w)
    await d.promise
  }

  protected learnAddresses (config: Configuration): void {
    for (const m of [...config.voters, ...config.nonVoters]) if (m.address !== '') this.addresses.set(m.id, m.address)
  }

  protected notLeader (message?: string): ClusterfunkError {
    const leader = this.leaderId === this.id ? undefined : this.leaderId
    const config = this.core?.status().configuration ?? EMPTY_CONFIGURATION
    const address = leader === undefined ? undefined : memberAddress(config, leader) ?? this.addresses.get(leader)
    return new NotLeaderError(leader, address, message)
  }
}
