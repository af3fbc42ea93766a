import { AbortError, InvalidArgumentError, Service, TypedEventEmitter, eventIterator, type AbortOptions, type EventHandler, type ListenerOptions } from '@clusterfunk/core'
import { MAX_MERGED_BYTES } from './batching.js'
import type { Configuration, NodeId } from './configuration.js'
import { registerLoop } from './raft-internals.js'
import { RaftLoop } from './raft-loop.js'
import { resolveRaftInit, type RaftInit, type ResolvedRaftInit } from './raft-options.js'
import type { MembershipOptions, RaftComponents, RaftEvents, RaftStats, ReadOptions, RequestOptions } from './raft-types.js'
import type { SnapshotInfo, SnapshotStore } from './snapshot-store.js'

/**
 * A durable, networked Raft node: the `RaftCore` driven by real timers, a
 * `LogStore`/`StableStore`, a `SnapshotStore`, a `RaftTransport` and the
 * application's `Fsm`. A thin face over its loop (`RaftLoop`), which
 * handles each Ready strictly in order: persist (entries synced in one
 * batch), then send, then apply to the FSM, then `advance()`. Proposals
 * that arrive meanwhile batch into the next Ready.
 */
export class Raft<Result = unknown> extends Service {
  readonly init: ResolvedRaftInit
  readonly #emitter = new TypedEventEmitter<RaftEvents>()
  readonly #loop: RaftLoop<Result>
  readonly #components: RaftComponents<Result>

  constructor (components: RaftComponents<Result>, init: RaftInit) {
    super()
    this.init = resolveRaftInit(init)
    this.#components = components
    this.#loop = new RaftLoop<Result>(components, this.init, this.#emitter)
    registerLoop(this, this.#loop as RaftLoop<unknown>)
  }

  get id (): NodeId { return this.init.id }
  get address (): string { return this.init.address ?? this.#components.transport.address }
  get snapshotStore (): SnapshotStore { return this.#components.snapshotStore }

  protected async onStart (): Promise<void> {
    await this.#loop.start()
  }

  protected async onStop (): Promise<void> {
    await this.#loop.stop(() => new AbortError('the raft node stopped'))
  }

  /**
   * Starts a new group with `configuration` (which should include this
   * node). Only a node with no state may bootstrap; bootstrapping every
   * initial member with the same configuration is safe.
   */
  async bootstrap (configuration: Configuration): Promise<void> {
    const core = this.#loop.running()
    if (configuration.voters.length === 0) throw new InvalidArgumentError('a bootstrap configuration needs at least one voter')
    if (this.#loop.savedHard.term > 0 || (this.#loop.cache?.lastIndex() ?? 0) > 0 || core.status().term > 0) throw new InvalidArgumentError('this node already has state; it cannot bootstrap')
    await this.#loop.bootstrap(configuration)
  }

  /**
   * Replicates `command` and resolves with what the FSM's `apply` returned
   * for it, once it is committed and applied here. Rejects with
   * `NotLeaderError` (carrying the leader's id and address when known) when
   * the command surely did not commit (a follower; a later leader's entry
   * took its place): retrying elsewhere is safe. Rejects with
   * `UnknownOutcomeError` when it may or may not have committed (a snapshot
   * from the leader replaced its entry), with `TimeoutError` or
   * `AbortError` (the command may still commit), with `ProposalLimitError`
   * when `maxUncommittedBytes` of proposals wait already (nothing was
   * appended), and with `InvalidArgumentError` for a command over 4 MiB.
   */
  async apply (command: Uint8Array, options: RequestOptions = {}): Promise<Result> {
    const loop = this.#loop
    const core = loop.running()
    // A larger entry could not travel in one transport message (see MAX_MERGED_BYTES); refuse it here, not on every retry.
    if (command.byteLength > MAX_MERGED_BYTES) throw new InvalidArgumentError(`a command is at most ${MAX_MERGED_BYTES} bytes, got ${command.byteLength}`)
    loop.pending.checkRoom(command.byteLength)
    const r = core.propose(command)
    if (!r.ok) throw r.error
    loop.metrics.proposals.inc()
    loop.kick()
    return await loop.pending.propose(r.index, r.term, command.byteLength, 'apply', options, () => loop.notLeader('a later leader replaced the entry')) as Result
  }

  /** Leader: resolves once every entry in the log when called is applied here. */
  async barrier (options: RequestOptions = {}): Promise<void> {
    const status = this.#loop.running().status()
    if (status.role !== 'leader') throw this.#loop.notLeader()
    await this.#loop.pending.waitUntil(() => this.#loop.applied >= status.lastIndex, 'barrier', options)
  }

  /**
   * A linearizable read: confirms leadership with a ReadIndex round (on a
   * follower, through the leader), waits until this node applied the read
   * index, then returns `fn()` (or the applied index when `fn` is absent).
   * Reads made in one task share one request, made when the task ends; a
   * read never joins a request already made (see `ReadBatches`). An
   * unanswered request is made again after an election timeout.
   * With `readOnly: 'lease'`, a leader holding its lease answers from its
   * commit index with no heartbeat round (see `ReadOptions.lease`).
   */
  async read<T = number> (fn?: () => T, options: ReadOptions = {}): Promise<T> {
    const loop = this.#loop
    loop.running()
    // The core decides whether its lease holds, on ticks: make them current first (a paused process missed some).
    loop.catchUpTicks()
    const applied = await loop.reads.read(options.lease ?? true, options)
    return fn === undefined ? applied as T : fn()
  }

  /** Leader: hands leadership to `to` (default: the most up-to-date voter) and resolves with the new leader's id. */
  async transferLeadership (to?: NodeId, options: RequestOptions = {}): Promise<NodeId> {
    const loop = this.#loop
    const core = loop.running()
    const status = core.status()
    if (status.role !== 'leader') throw loop.notLeader()
    let target = to
    if (target === undefined) {
      let best = -1
      for (const [id, pr] of status.progress) if (id !== this.id && pr.isVoter && pr.match > best) { best = pr.match; target = id }
    }
    if (target === undefined) throw new InvalidArgumentError('there is no other voter to transfer leadership to')
    const r = core.transferLeadership(target)
    if (!r.ok) throw r.error
    loop.kick()
    await loop.pending.waitUntil(() => loop.leaderId !== undefined && loop.leaderId !== this.id, 'leadership transfer', { timeoutMs: options.timeoutMs ?? this.init.electionMs * 3, signal: options.signal })
    return loop.leaderId as NodeId
  }

  /**
   * Adds a voter: it joins as a non-voter and the leader promotes it once it
   * has answered and caught up (within `catchUpLag`). Resolves once it is a
   * voter here. With `prevIndex`, fails with `ConfigurationChangedError`
   * unless the newest configuration is the one at that index.
   */
  async addVoter (id: NodeId, address: string, options: MembershipOptions = {}): Promise<void> {
    await this.#loop.membership.addVoter(id, address, options)
  }

  /** Adds a member that receives the log but never votes. */
  async addNonVoter (id: NodeId, address: string, options: MembershipOptions = {}): Promise<void> {
    await this.#loop.membership.addNonVoter(id, address, options)
  }

  /** Removes a member (a leader removing itself steps down once the change commits). */
  async removeServer (id: NodeId, options: MembershipOptions = {}): Promise<void> {
    await this.#loop.membership.removeServer(id, options)
  }

  /** Turns a voter into a non-voter. */
  async demoteVoter (id: NodeId, options: MembershipOptions = {}): Promise<void> {
    await this.#loop.membership.demoteVoter(id, options)
  }

  /** The newest configuration in the log (committed or not). */
  configuration (): Configuration {
    return this.#loop.running().status().configuration
  }

  /** Takes a snapshot now (if anything was applied since the last) and compacts the log. */
  async snapshot (): Promise<SnapshotInfo | undefined> {
    this.#loop.running()
    return await this.#loop.takeSnapshot()
  }

  stats (): RaftStats {
    const loop = this.#loop
    const s = loop.running().status()
    const cache = loop.cache
    return {
      id: s.id,
      address: this.address,
      role: s.role,
      term: s.term,
      leaderId: s.leaderId,
      commitIndex: s.commit,
      appliedIndex: loop.applied,
      lastIndex: s.lastIndex,
      firstIndex: cache?.firstIndex() ?? 0,
      snapshotIndex: cache?.snapshotMetadata().index ?? 0,
      configuration: s.configuration,
      configurationIndex: s.configurationIndex,
      progress: s.progress,
      pendingProposals: loop.pending.proposalCount,
      lastContactMs: s.role === 'leader' ? loop.peers.contactAges() : new Map(),
      droppedMessages: { ...loop.dropped }
    }
  }

  /** Listens to one event type (`role:change`, `leader:change`, `peer:change`, `heartbeat:failed`, `heartbeat:resumed`). */
  addEventListener<K extends keyof RaftEvents & string>(type: K, listener: EventHandler<RaftEvents[K]>, options?: ListenerOptions): void {
    this.#emitter.addEventListener(type, listener, options)
  }

  removeEventListener<K extends keyof RaftEvents & string>(type: K, listener: EventHandler<RaftEvents[K]>): void {
    this.#emitter.removeEventListener(type, listener)
  }

  /** Every event as an async iterator (buffered, so a slow reader never stalls the node) until `signal` fires. */
  events (options: AbortOptions = {}): AsyncIterableIterator<{ type: keyof RaftEvents & string, detail: RaftEvents[keyof RaftEvents & string] }> {
    return eventIterator(this.#emitter, ['role:change', 'leader:change', 'peer:change', 'heartbeat:failed', 'heartbeat:resumed'], options)
  }
}
