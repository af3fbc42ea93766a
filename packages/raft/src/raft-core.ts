import { ClusterfunkError, InvalidArgumentError, InvalidConfigError, NotLeaderError, TERMS, inRange } from '@clusterfunk/core'
import { applyConfigChange, isVoter, memberAddress, type ConfigChange, type Configuration, type NodeId } from './configuration.js'
import { campaign } from './election.js'
import { ConfigChangeInProgressError, LeadershipTransferInProgressError, TermOutOfRangeError } from './errors.js'
import { stepCandidate, stepFollower, tickElection } from './follower.js'
import { flushReadRound, handleReadIndex, maybeCommit, sendTimeoutNow, stepLeader, tickHeartbeat } from './leader.js'
import { MembershipLog } from './membership-log.js'
import type { Message } from './messages.js'
import { resolveOptions, type RaftCoreOptions } from './options.js'
import type { ProgressView } from './progress.js'
import { RaftLog } from './raft-log.js'
import { RaftState, type RoleBehaviour } from './raft-state.js'
import type { Ready } from './ready.js'
import { bcastAppend, commitFlushDue, flushCommit, sendAppend } from './replication.js'
import type { ProposeResult, RaftStatus, RequestResult } from './status.js'
import type { DropReason } from './ranges.js'
import { screenMessage, stepMessage } from './step.js'
import type { Entry, EntryType, HardState, Role, SoftState } from './types.js'

const BEHAVIOURS: Readonly<Record<Role, RoleBehaviour>> = {
  follower: { step: stepFollower, tick: tickElection },
  preCandidate: { step: stepCandidate, tick: tickElection },
  candidate: { step: stepCandidate, tick: tickElection },
  leader: { step: stepLeader, tick: tickHeartbeat }
}

function fail (error: ClusterfunkError): { ok: false, error: ClusterfunkError } {
  return { ok: false, error }
}

interface Outstanding {
  readonly lastEntry: { index: number, term: number } | undefined
  readonly snapshotIndex: number | undefined
  readonly appliedTo: number | undefined
  readonly hardState: HardState
  readonly softState: SoftState
}

/**
 * The Raft protocol for one node as a synchronous state machine without
 * I/O, timers or clocks (the etcd-io/raft model). Inputs: `tick()`,
 * `step(message)` and the local requests (`propose`, `proposeConfigChange`,
 * `readIndex`, `transferLeadership`, `campaign`). Outputs: `ready()`, to be
 * handled in the order `Ready` documents, followed by `advance()`.
 *
 * Not thread-safe and not re-entrant: call it from one place at a time.
 * Inputs may arrive between `ready()` and `advance()`; what they produce
 * goes into the next Ready.
 */
export class RaftCore {
  private readonly r: RaftState
  private readonly maxCommittedBytesPerReady: number
  private prevHardState: HardState
  private prevSoftState: SoftState
  private outstanding: Outstanding | undefined

  constructor (options: RaftCoreOptions) {
    const opts = resolveOptions(options)
    this.maxCommittedBytesPerReady = opts.maxCommittedBytesPerReady
    const storage = options.storage
    const { hardState } = storage.initialState()
    // A term outside the range can only come from a store written before terms were range-checked (a poisoned
    // term). Lowering it would be unsafe: this node may have voted in any term up to it, and a lower term could
    // let it vote twice in one. The node's state must be discarded and the node rejoin as a new member.
    if (!inRange(TERMS, hardState.term)) throw new TermOutOfRangeError(hardState.term)
    if (hardState.commit > storage.lastIndex()) throw new InvalidConfigError('storage', `commit ${hardState.commit} is past the last index ${storage.lastIndex()}`)
    const snapshot = storage.snapshotMetadata()
    if (options.applied !== undefined && (!Number.isSafeInteger(options.applied) || options.applied < 0 || options.applied > Math.max(hardState.commit, snapshot.index))) {
      throw new InvalidConfigError('applied', `must be an integer between 0 and the stored commit index ${hardState.commit}`)
    }
    // A snapshot is only ever taken or installed at a committed index, even if the commit index was not yet saved.
    const log = new RaftLog(storage, Math.max(hardState.commit, snapshot.index), options.applied ?? snapshot.index)
    const membership = new MembershipLog({ index: snapshot.index, configuration: snapshot.configuration })
    // The newest configuration may sit anywhere in the stored log: scan it once.
    for (let lo = storage.firstIndex(); lo <= storage.lastIndex();) {
      const chunk = storage.entries(lo, storage.lastIndex() + 1, opts.maxBytesPerMsg)
      membership.onAppend(chunk)
      lo += chunk.length
    }
    this.r = new RaftState(options.id, opts, log, membership, options.random, options.logger, BEHAVIOURS)
    this.r.becomeFollower(hardState.term, undefined)
    this.r.vote = hardState.vote
    this.prevHardState = hardState
    this.prevSoftState = { role: 'follower', leaderId: undefined }
  }

  get id (): NodeId {
    return this.r.id
  }

  /**
   * Advances logical time by one tick: election timeouts, heartbeats and
   * check-quorum count ticks. `localDelayTicks` (default 0) is how long
   * this process itself was stalled just before this tick, in ticks (a
   * driver measures its own timers' lateness): the current election
   * timeout or check-quorum period is that much longer (at most 8×, as
   * core's `widenedTimeout`), so a node that was not running does not blame
   * its peers for its own silence. The widening ends with the period. The
   * read lease is never widened.
   */
  tick (localDelayTicks = 0): void {
    if (!(localDelayTicks >= 0) || !Number.isFinite(localDelayTicks)) throw new RangeError(`localDelayTicks must be a finite number >= 0, got ${localDelayTicks}`)
    const r = this.r
    const before = r.electionElapsed
    // A message (a leader's append, a vote) restarted the period since the last tick.
    if (before < r.elapsedAtTick) r.localDelayTicks = 0
    r.localDelayTicks = Math.max(r.localDelayTicks, Math.floor(localDelayTicks))
    r.ticks++
    r.behaviour.tick(r)
    // This tick restarted the period (a campaign, a check-quorum round, a new role).
    if (r.electionElapsed <= before) r.localDelayTicks = 0
    r.elapsedAtTick = r.electionElapsed
  }

  /**
   * Leader: true when a follower has not been told the commit index and no
   * append is on its way to carry it. A new commit index is not broadcast
   * at once (as hashicorp/raft's commit timeout): under load the next
   * append carries it for free. The driver calls `flushCommit()` soon after
   * this turns true and no new proposal came.
   */
  commitFlushDue (): boolean {
    return commitFlushDue(this.r)
  }

  /** Leader: sends the commit index to every follower that has not been told it. */
  flushCommit (): void {
    flushCommit(this.r)
  }

  /**
   * Feeds a message from the transport. Messages not addressed to this node
   * are ignored. Returns why the message was dropped (a number out of range,
   * or a term implausibly far ahead; see `stepMessage`), else undefined; the
   * driver counts drops. Never throws.
   */
  step (message: Message): DropReason | undefined {
    if (message.to !== this.r.id || message.from === this.r.id) return undefined
    return stepMessage(this.r, message)
  }

  /** Why `step` would drop `message` now (see `step`), else undefined; changes nothing. */
  screen (message: Message): DropReason | undefined {
    return screenMessage(this.r, message)
  }

  /**
   * Leader: appends `data` as a new entry and replicates it. The entry is
   * committed (and applied from a later Ready) only if this node stays
   * leader long enough: watch `committedEntries` for its index and term.
   */
  propose (data: Uint8Array): ProposeResult {
    return this.append('normal', data, undefined)
  }

  /**
   * Leader: proposes one membership change. Refused while another change is
   * uncommitted, and before the leader has committed an entry of its term.
   * The new configuration takes effect on every node as soon as the entry
   * is in its log (dissertation §4.1), and is rolled back if the entry is
   * dropped by a conflicting leader.
   */
  proposeConfigChange (change: ConfigChange): ProposeResult {
    const r = this.r
    const refused = this.refuseProposal()
    if (refused !== undefined) return refused
    if (!r.committedInTerm()) return fail(new ConfigChangeInProgressError('the leader has not yet committed an entry of its term'))
    if (r.membership.latest().index > r.log.committed) return fail(new ConfigChangeInProgressError())
    let configuration: Configuration
    try {
      configuration = applyConfigChange(r.config(), change)
    } catch (err) {
      if (err instanceof ClusterfunkError) return fail(err)
      throw err
    }
    return this.append('config', new Uint8Array(0), configuration)
  }

  /**
   * Requests a linearizable read. The answer comes as a `ReadState` with the
   * same `requestId` in a later Ready, once a quorum confirmed this leader's
   * leadership; serve the read after applying up to its index. A follower
   * forwards the request to its leader. A request lost to a leader change
   * is never answered: the driver times it out.
   *
   * With `readOnly: 'lease'`, a leader holding its lease answers at once
   * (the ReadState is in the next Ready) without a heartbeat round, also
   * for a follower's request; otherwise, and with `lease: false`, it runs
   * the ReadIndex round.
   */
  readIndex (requestId: string, options: { lease?: boolean } = {}): RequestResult {
    const r = this.r
    if (r.role === 'leader') {
      handleReadIndex(r, requestId, r.id, options.lease ?? true)
      return { ok: true }
    }
    if (r.leaderId === undefined) return fail(this.notLeader())
    r.send({ type: 'readIndexRequest', to: r.leaderId, requestId })
    return { ok: true }
  }

  /**
   * Leader: hands leadership to voter `to` (dissertation §3.10): stops
   * taking proposals, brings `to` up to date, then tells it to campaign at
   * once. Given up after an election timeout.
   */
  transferLeadership (to: NodeId): RequestResult {
    const r = this.r
    if (r.role !== 'leader') return fail(this.notLeader())
    if (to === r.id) return { ok: true }
    if (!isVoter(r.config(), to)) return fail(new InvalidArgumentError(`node ${to} is not a voter`))
    if (r.leadTransferee === to) return { ok: true }
    r.leadTransferee = to
    r.electionElapsed = 0
    const pr = r.progress.get(to)
    if (pr !== undefined && pr.match === r.log.lastIndex()) sendTimeoutNow(r, to)
    else sendAppend(r, to)
    return { ok: true }
  }

  /** Starts an election now (with pre-vote when enabled). Only voters campaign. */
  campaign (): RequestResult {
    const r = this.r
    if (!r.promotable()) return fail(new InvalidArgumentError(`node ${r.id} is not a voter`))
    if (r.role !== 'leader') campaign(r, r.opts.preVote ? 'preVote' : 'vote')
    return { ok: true }
  }

  /** The transport could not reach `id`: stop pipelining to it and probe. */
  reportUnreachable (id: NodeId): void {
    const pr = this.r.role === 'leader' ? this.r.progress.get(id) : undefined
    if (pr?.state === 'replicate') pr.becomeProbe()
  }

  /** The transport finished (or failed) streaming the snapshot asked for by an `installSnapshot` message. */
  reportSnapshot (id: NodeId, succeeded: boolean): void {
    const pr = this.r.role === 'leader' ? this.r.progress.get(id) : undefined
    if (pr?.state !== 'snapshot') return
    if (!succeeded) pr.pendingSnapshot = 0
    // Probe from after the snapshot; the follower's answer (or a heartbeat) resumes replication.
    pr.becomeProbe()
    pr.probeSent = true
  }

  /** True when `ready()` has something to hand out (and no Ready awaits `advance()`). */
  hasReady (): boolean {
    const r = this.r
    if (this.outstanding !== undefined) return false
    return r.msgs.length > 0 || r.readRoundDue || r.readStates.length > 0 || r.log.unstable.entries.length > 0 ||
      r.log.unstable.snapshot !== undefined || r.log.committed > r.log.applied ||
      !sameHardState(this.hardState(), this.prevHardState) || !sameSoftState(this.softState(), this.prevSoftState)
  }

  /**
   * What to persist, send and apply now (see `Ready` for the order). Call
   * `advance()` when done before calling `ready()` again.
   */
  ready (): Ready {
    if (this.outstanding !== undefined) throw new Error('ready() called again before advance()')
    const r = this.r
    flushReadRound(r)
    const log = r.log
    const entries = [...log.unstable.entries]
    const snapshot = log.unstable.snapshot
    const applyFrom = Math.max(log.applied, snapshot?.index ?? 0) + 1
    const committedEntries = log.committed >= applyFrom
      ? log.slice(applyFrom, log.committed + 1, this.maxCommittedBytesPerReady) ?? []
      : []
    const hardState = this.hardState()
    const softState = this.softState()
    const last = entries[entries.length - 1]
    const lastCommitted = committedEntries[committedEntries.length - 1]
    this.outstanding = {
      lastEntry: last === undefined ? undefined : { index: last.index, term: last.term },
      snapshotIndex: snapshot?.index,
      appliedTo: lastCommitted?.index,
      hardState,
      softState
    }
    // Optional fields are set only when present (absent, not undefined), without object spread (see codec.ts).
    const rd: { -readonly [K in keyof Ready]: Ready[K] } = { entries, messages: r.msgs, committedEntries, readStates: r.readStates }
    if (!sameSoftState(softState, this.prevSoftState)) rd.softState = softState
    if (!sameHardState(hardState, this.prevHardState)) rd.hardState = hardState
    if (snapshot !== undefined) rd.snapshot = snapshot
    r.msgs = []
    r.readStates = []
    return rd
  }

  /**
   * The last Ready was handled: its entries, hard state and snapshot are
   * durable and its committed entries applied.
   */
  advance (): void {
    const o = this.outstanding
    if (o === undefined) throw new Error('advance() called without a ready()')
    this.outstanding = undefined
    const r = this.r
    if (o.snapshotIndex !== undefined) {
      r.log.unstable.stableSnapTo(o.snapshotIndex)
      r.log.applied = Math.max(r.log.applied, o.snapshotIndex)
    }
    if (o.lastEntry !== undefined) r.log.unstable.stableTo(o.lastEntry.index, o.lastEntry.term)
    if (o.appliedTo !== undefined) r.log.applied = Math.max(r.log.applied, o.appliedTo)
    this.prevHardState = o.hardState
    this.prevSoftState = o.softState
    if (r.role === 'leader') {
      // The leader counts its own log towards a quorum only once it is durable.
      r.progress.get(r.id)?.maybeUpdate(r.log.stableIndex())
      maybeCommit(r)
    }
  }

  /** The core's state now. */
  status (): RaftStatus {
    const r = this.r
    const progress = new Map<NodeId, ProgressView>()
    if (r.role === 'leader') {
      for (const [id, pr] of r.progress) {
        progress.set(id, { match: pr.match, next: pr.next, state: pr.state, recentActive: pr.recentActive, isVoter: isVoter(r.config(), id) })
      }
    }
    const latest = r.membership.latest()
    return {
      id: r.id,
      role: r.role,
      term: r.term,
      vote: r.vote,
      leaderId: r.leaderId,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      configuration: latest.configuration,
      configurationIndex: latest.index,
      leadTransferee: r.leadTransferee,
      leaseReadable: r.leaseReadable(),
      leaseExpiresAt: r.role === 'leader' ? r.lease.expiresAt : -Infinity,
      ticks: r.ticks,
      progress
    }
  }

  private hardState (): HardState {
    return { term: this.r.term, vote: this.r.vote, commit: this.r.log.committed }
  }

  private softState (): SoftState {
    return { role: this.r.role, leaderId: this.r.leaderId }
  }

  private notLeader (): NotLeaderError {
    const leader = this.r.leaderId
    return new NotLeaderError(leader, leader === undefined ? undefined : memberAddress(this.r.config(), leader))
  }

  private refuseProposal (): ProposeResult | undefined {
    const r = this.r
    if (r.role !== 'leader') return fail(this.notLeader())
    if (r.leadTransferee !== undefined) return fail(new LeadershipTransferInProgressError(r.leadTransferee))
    return undefined
  }

  private append (type: EntryType, data: Uint8Array, configuration: Configuration | undefined): ProposeResult {
    const refused = this.refuseProposal()
    if (refused !== undefined) return refused
    if (!(data instanceof Uint8Array)) return fail(new InvalidArgumentError('a proposal must be a Uint8Array'))
    const r = this.r
    const entry: Entry = configuration === undefined
      ? { index: r.log.lastIndex() + 1, term: r.term, type, data }
      : { index: r.log.lastIndex() + 1, term: r.term, type, data, configuration }
    r.appendEntries([entry])
    bcastAppend(r)
    return { ok: true, index: entry.index, term: entry.term }
  }
}

function sameHardState (a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit
}

function sameSoftState (a: SoftState, b: SoftState): boolean {
  return a.role === b.role && a.leaderId === b.leaderId
}
