import { InvalidArgumentError, eventIterator, type AbortOptions, type EventHandler, type ListenerOptions } from '@clusterfunk/core'
import { EMPTY_CONFIGURATION, isNonVoter, isVoter, type ConfigChange, type Configuration, type NodeId } from './configuration.js'
import { deferred } from './deferred.js'
import { LogCache } from './log-cache.js'
import type { RaftCore } from './raft-core.js'
import type { RaftEvents, RaftStats, ReadOptions, RequestOptions } from './raft-types.js'
import type { SnapshotInfo } from './snapshot-store.js'
import type { Entry, HardState } from './types.js'
import { RaftDriver } from './raft-driver.js'
import { MAX_MERGED_BYTES } from './batching.js'

/**
 * A durable, networked Raft node: the `RaftCore` driven by real timers, a
 * `LogStore`/`StableStore`, a `SnapshotStore`, a `RaftTransport` and the
 * application's `Fsm`. Each Ready is handled strictly in order: persist
 * (entries synced in one batch), then send, then apply to the FSM, then
 * `advance()`. Proposals that arrive meanwhile batch into the next Ready.
 */
export class Raft<Result = unknown> extends RaftDriver<Result> {
  async bootstrap (configuration: Configuration): Promise<void> {
    const core = this.running()
    if (configuration.voters.length === 0) throw new InvalidArgumentError('a bootstrap configuration needs at least one voter')
    const cache = this.cache as LogCache
    if (this.savedHard.term > 0 || cache.lastIndex() > 0 || core.status().term > 0) throw new InvalidArgumentError('this node already has state; it cannot bootstrap')
    const entry: Entry = { index: 1, term: 1, type: 'config', data: new Uint8Array(0), configuration }
    await this.logStore.storeLogs([entry])
    const hard: HardState = { term: 1, vote: undefined, commit: 0 }
    await this.stableStore.setHardState(hard)
    this.savedHard = hard
    this.buildCore(new LogCache({ index: 0, term: 0, configuration: EMPTY_CONFIGURATION }, hard, [entry]))
    this.checkConfiguration(this.core as RaftCore)
  }

  /**
   * Replicates `command` and resolves with what the FSM's `apply` returned
   * for it, once it is committed and applied here. Rejects with
   * `NotLeaderError` (carrying the leader's id and address when known) on a
   * follower or when leadership was lost before the entry committed, with
   * `TimeoutError` or `AbortError` otherwise (the command may still commit),
   * and with `InvalidArgumentError` for a command over 4 MiB.
   */
  async apply (command: Uint8Array, options: RequestOptions = {}): Promise<Result> {
    const core = this.running()
    // A larger entry could not travel in one transport message (see MAX_MERGED_BYTES); refuse it here, not on every retry.
    if (command.byteLength > MAX_MERGED_BYTES) throw new InvalidArgumentError(`a command is at most ${MAX_MERGED_BYTES} bytes, got ${command.byteLength}`)
    const r = core.propose(command)
    if (!r.ok) throw r.error
    this.metrics.proposals.inc()
    const d = deferred<unknown>({ clock: this.clock, deadlines: this.deadlines, timeoutMs: options.timeoutMs ?? this.init.requestTimeoutMs, signal: options.signal, what: 'apply', onSettle: () => { this.proposals.delete(r.index) } })
    this.proposals.set(r.index, { term: r.term, started: this.clock.now(), d })
    this.kick()
    return await d.promise as Result
  }

  /** Leader: resolves once every entry in the log when called is applied here. */
  async barrier (options: RequestOptions = {}): Promise<void> {
    const status = this.running().status()
    if (status.role !== 'leader') throw this.notLeader()
    await this.waitUntil(() => this.applied >= status.lastIndex, 'barrier', options)
  }

  /**
   * A linearizable read: confirms leadership with a ReadIndex round (on a
   * follower, through the leader), waits until this node applied the read
   * index, then returns `fn()` (or the applied index when `fn` is absent).
   * With `readOnly: 'lease'`, a leader holding its lease answers from its
   * commit index with no heartbeat round (see `ReadOptions.lease`).
   */
  async read<T = number> (fn?: () => T, options: ReadOptions = {}): Promise<T> {
    const core = this.running()
    // The core decides whether its lease holds, on ticks: make them current first (a paused process missed some).
    this.catchUpTicks()
    const requestId = `${this.init.id}:${++this.readSeq}`
    const r = core.readIndex(requestId, { lease: options.lease ?? true })
    if (!r.ok) throw r.error
    const d = deferred<number>({ clock: this.clock, deadlines: this.deadlines, timeoutMs: options.timeoutMs ?? this.init.requestTimeoutMs, signal: options.signal, what: 'read', onSettle: () => { this.reads.delete(requestId) } })
    this.reads.set(requestId, { index: undefined, d })
    this.kick()
    const applied = await d.promise
    return fn === undefined ? applied as T : fn()
  }

  /** Leader: hands leadership to `to` (default: the most up-to-date voter) and resolves with the new leader's id. */
  async transferLeadership (to?: NodeId, options: RequestOptions = {}): Promise<NodeId> {
    const core = this.running()
    const status = core.status()
    if (status.role !== 'leader') throw this.notLeader()
    let target = to
    if (target === undefined) {
      let best = -1
      for (const [id, pr] of status.progress) if (id !== this.id && pr.isVoter && pr.match > best) { best = pr.match; target = id }
    }
    if (target === undefined) throw new InvalidArgumentError('there is no other voter to transfer leadership to')
    const r = core.transferLeadership(target)
    if (!r.ok) throw r.error
    this.kick()
    await this.waitUntil(() => this.leaderId !== undefined && this.leaderId !== this.id, 'leadership transfer', { timeoutMs: options.timeoutMs ?? this.init.electionMs * 3, signal: options.signal })
    return this.leaderId as NodeId
  }

  /** Adds a voter: it joins as a non-voter and is promoted once it has caught up. Resolves once it is a voter here. */
  async addVoter (id: NodeId, address: string, options: RequestOptions = {}): Promise<void> {
    const config = this.running().status().configuration
    if (isVoter(config, id)) return
    if (!isNonVoter(config, id)) await this.changeConfig({ type: 'addNonVoter', id, address }, options)
    this.toPromote.add(id)
    this.kick()
    await this.waitUntil(() => isVoter(this.appliedConfig, id), 'addVoter', options)
  }

  /** Adds a member that receives the log but never votes. */
  async addNonVoter (id: NodeId, address: string, options: RequestOptions = {}): Promise<void> {
    await this.changeConfig({ type: 'addNonVoter', id, address }, options)
  }

  /** Removes a member (a leader removing itself steps down once the change commits). */
  async removeServer (id: NodeId, options: RequestOptions = {}): Promise<void> {
    this.toPromote.delete(id)
    await this.changeConfig({ type: 'remove', id }, options)
  }

  /** Turns a voter into a non-voter. */
  async demoteVoter (id: NodeId, options: RequestOptions = {}): Promise<void> {
    this.toPromote.delete(id)
    await this.changeConfig({ type: 'demote', id }, options)
  }

  /** The newest configuration in the log (committed or not). */
  configuration (): Configuration {
    return this.running().status().configuration
  }

  /** Takes a snapshot now (if anything was applied since the last) and compacts the log. */
  async snapshot (): Promise<SnapshotInfo | undefined> {
    this.running()
    return await this.takeSnapshot()
  }

  stats (): RaftStats {
    const s = this.running().status()
    const cache = this.cache as LogCache
    const now = this.clock.now()
    const lastContactMs = new Map<NodeId, number>()
    if (s.role === 'leader') for (const [id, t] of this.lastContact) lastContactMs.set(id, now - t)
    return {
      id: s.id,
      address: this.address,
      role: s.role,
      term: s.term,
      leaderId: s.leaderId,
      commitIndex: s.commit,
      appliedIndex: this.applied,
      lastIndex: s.lastIndex,
      firstIndex: cache.firstIndex(),
      snapshotIndex: cache.snapshotMetadata().index,
      configuration: s.configuration,
      progress: s.progress,
      pendingProposals: this.proposals.size,
      lastContactMs,
      droppedMessages: { ...this.dropped }
    }
  }

  /** Listens to one event type (`role:change`, `leader:change`, `peer:change`, `heartbeat:failed`, `heartbeat:resumed`). */
  addEventListener<K extends keyof RaftEvents & string>(type: K, listener: EventHandler<RaftEvents[K]>, options?: ListenerOptions): void {
    this.emitter.addEventListener(type, listener, options)
  }

  removeEventListener<K extends keyof RaftEvents & string>(type: K, listener: EventHandler<RaftEvents[K]>): void {
    this.emitter.removeEventListener(type, listener)
  }

  /** Every event as an async iterator (buffered, so a slow reader never stalls the node) until `signal` fires. */
  events (options: AbortOptions = {}): AsyncIterableIterator<{ type: keyof RaftEvents & string, detail: RaftEvents[keyof RaftEvents & string] }> {
    return eventIterator(this.emitter, ['role:change', 'leader:change', 'peer:change', 'heartbeat:failed', 'heartbeat:resumed'], options)
  }

  protected async changeConfig (change: ConfigChange, options: RequestOptions): Promise<void> {
    const r = this.running().proposeConfigChange(change)
    if (!r.ok) throw r.error
    const d = deferred<unknown>({ clock: this.clock, deadlines: this.deadlines, timeoutMs: options.timeoutMs ?? this.init.requestTimeoutMs, signal: options.signal, what: change.type, onSettle: () => { this.proposals.delete(r.index) } })
    this.proposals.set(r.index, { term: r.term, started: this.clock.now(), d })
    this.kick()
    await d.promise
  }
}
