import { TERMS, nextCounter, widenedTimeout, type Logger, type Random } from '@clusterfunk/core'
import { isVoter, memberIds, voterIds, type Configuration, type NodeId } from './configuration.js'
import type { Message, MessageBody } from './messages.js'
import type { MembershipLog } from './membership-log.js'
import type { ResolvedOptions } from './options.js'
import { Progress } from './progress.js'
import type { RaftLog } from './raft-log.js'
import { LeaseTracker } from './lease.js'
import { ReadIndexTracker } from './read-index.js'
import type { Entry, ReadState, Role } from './types.js'

/**
 * What a role does with a message and a tick. Roles switch by swapping the
 * behaviour (etcd-io/raft's step/tick functions).
 */
export interface RoleBehaviour {
  readonly step: (r: RaftState, m: Message) => void
  readonly tick: (r: RaftState) => void
}

/** A read request that arrived before the leader committed an entry of its term. */
export interface DeferredRead {
  readonly requestId: string
  readonly from: NodeId
  /** Whether it may be answered from the lease. */
  readonly lease: boolean
}

/**
 * The protocol state of one node, shared by the role modules (election,
 * follower, leader, replication). Internal: `RaftCore` is the public face.
 */
export class RaftState {
  readonly id: NodeId
  readonly opts: ResolvedOptions
  readonly log: RaftLog
  readonly membership: MembershipLog
  readonly readIndex = new ReadIndexTracker()
  /** Leader: the read lease ('lease' mode; see `LeaseTracker`). */
  readonly lease: LeaseTracker
  private readonly random: Random
  readonly logger: Logger | undefined
  private readonly behaviours: Readonly<Record<Role, RoleBehaviour>>

  term = 0
  vote: NodeId | undefined
  leaderId: NodeId | undefined
  role: Role = 'follower'
  behaviour: RoleBehaviour
  /** Per-member replication state; only while leader (and including this node). */
  progress = new Map<NodeId, Progress>()
  /** Votes received in the current (pre-)election. */
  votes = new Map<NodeId, boolean>()
  electionElapsed = 0
  heartbeatElapsed = 0
  /** Ticks as leader (never reset): how old a probe is. */
  leaderTicks = 0
  /** Ticks since this core was built (never reset): the clock of the read lease and of the quiet start. */
  ticks = 0
  /** Leader: a TimeoutNow went out this term. Its target may win votes that ignore the voters' lease, so no lease reads. */
  timeoutNowSent = false
  randomizedElectionTimeout = 0
  /**
   * The longest stall of this process itself (in ticks, given with `tick`)
   * during the current election or check-quorum period: the period's
   * timeout widens by it, and it is forgotten when the period restarts.
   * The read lease never widens.
   */
  localDelayTicks = 0
  /** `electionElapsed` after the last tick: a smaller value at the next tick means the period restarted. */
  elapsedAtTick = 0
  leadTransferee: NodeId | undefined
  readsAwaitingCommit: DeferredRead[] = []
  /** ReadIndex requests arrived since the last Ready: one heartbeat round is owed (see `flushReadRound`). */
  readRoundDue = false
  /** Outputs, taken by `ready()`. */
  msgs: Message[] = []
  readStates: ReadState[] = []

  constructor (id: NodeId, opts: ResolvedOptions, log: RaftLog, membership: MembershipLog,
    random: Random, logger: Logger | undefined, behaviours: Readonly<Record<Role, RoleBehaviour>>) {
    this.id = id
    this.opts = opts
    this.log = log
    this.membership = membership
    this.random = random
    this.logger = logger
    this.behaviours = behaviours
    this.behaviour = behaviours.follower
    this.lease = new LeaseTracker(opts.leaseTicks)
    this.resetRandomizedElectionTimeout()
  }

  config (): Configuration {
    return this.membership.latest().configuration
  }

  voters (): NodeId[] {
    return voterIds(this.config())
  }

  /** Only voters campaign; non-voters and nodes outside the configuration wait to be contacted. */
  promotable (): boolean {
    return isVoter(this.config(), this.id)
  }

  /** True once the leader's commit index reaches an entry of its own term (§5.4.2, §6.4). */
  committedInTerm (): boolean {
    return this.log.term(this.log.committed) === this.term
  }

  /** Queues a message, stamped with this node as sender and (unless given) the current term. */
  send (body: MessageBody & { term?: number }): void {
    const m = body as { from?: string, term?: number }
    m.from = this.id
    if (m.term === undefined) m.term = this.term
    this.msgs.push(m as Message)
  }

  resetRandomizedElectionTimeout (): void {
    const t = this.opts.electionTicks
    this.randomizedElectionTimeout = this.random.int(t, 2 * t - 1)
  }

  /**
   * Leader, 'lease' mode: a read may be served at the commit index with no
   * heartbeat round. Not before the leader committed an entry of its term
   * (its commit index may lag until then), not during or after a leadership
   * transfer in this term (TimeoutNow lets the target win votes that ignore
   * the voters' lease), and only while the lease holds.
   */
  leaseReadable (): boolean {
    return this.role === 'leader' && this.opts.readOnly === 'lease' && this.leadTransferee === undefined &&
      !this.timeoutNowSent && this.committedInTerm() && this.lease.holds(this.ticks)
  }

  /**
   * 'lease' mode: a voter that just started refuses votes for an election
   * timeout, as if it had heard from a leader. It may have answered a
   * heartbeat before it restarted, and a leader may be counting on that
   * answer for its lease; the restart forgot it.
   */
  quietAfterStart (): boolean {
    return this.opts.readOnly === 'lease' && this.ticks < this.opts.electionTicks
  }

  /** True past the randomized election timeout, widened by this process's own recent stall. */
  pastElectionTimeout (): boolean {
    return this.electionElapsed >= widenedTimeout(this.randomizedElectionTimeout, this.localDelayTicks)
  }

  /**
   * Leader: the check-quorum period, widened by this process's own recent
   * stall: a leader that could not read its followers' answers in time does
   * not blame them. Its lease is not widened (`LeaseTracker` counts from the
   * heartbeats sent), so a stalled leader stops serving lease reads on time.
   */
  checkQuorumTicks (): number {
    return widenedTimeout(this.opts.electionTicks, this.localDelayTicks)
  }

  private reset (term: number): void {
    if (this.term !== term) {
      this.term = term
      this.vote = undefined
    }
    this.leaderId = undefined
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    this.resetRandomizedElectionTimeout()
    this.leadTransferee = undefined
    this.votes.clear()
    this.progress.clear()
    this.readIndex.reset()
    this.lease.reset(this.readIndex.currentSeq)
    this.timeoutNowSent = false
    this.readsAwaitingCommit = []
    this.readRoundDue = false
  }

  private setRole (role: Role): void {
    if (role !== this.role) this.logger?.debug('role change', { id: this.id, from: this.role, to: role, term: this.term })
    this.role = role
    this.behaviour = this.behaviours[role]
  }

  becomeFollower (term: number, leaderId: NodeId | undefined): void {
    this.reset(term)
    this.leaderId = leaderId
    this.setRole('follower')
  }

  /** Pre-vote: a candidate in all but the term, which stays as it is. */
  becomePreCandidate (): void {
    this.votes.clear()
    this.leaderId = undefined
    this.setRole('preCandidate')
  }

  becomeCandidate (): void {
    this.reset(nextCounter(TERMS, this.term))
    this.vote = this.id
    this.setRole('candidate')
  }

  /** Takes leadership and appends the no-op entry of the new term; the caller broadcasts it. */
  becomeLeader (): void {
    this.reset(this.term)
    this.leaderId = this.id
    this.setRole('leader')
    this.syncProgress()
    const self = this.progress.get(this.id) as Progress
    self.maybeUpdate(this.log.stableIndex())
    this.appendEntries([{ index: this.log.lastIndex() + 1, term: this.term, type: 'noop', data: new Uint8Array(0) }])
  }

  /** Leader: one Progress per member (and this node), new ones probing from the end of the log. */
  syncProgress (): void {
    const ids = new Set([...memberIds(this.config()), this.id])
    for (const id of ids) {
      if (!this.progress.has(id)) {
        const pr = new Progress(this.log.lastIndex() + 1, this.opts.maxInflight)
        // A new member counts as active, so check-quorum does not fire before it could answer.
        pr.recentActive = true
        this.progress.set(id, pr)
      }
    }
    for (const id of [...this.progress.keys()]) if (!ids.has(id)) this.progress.delete(id)
  }

  /** Appends entries to the log (leader proposals), tracking configuration entries. */
  appendEntries (entries: Entry[]): void {
    this.log.append(entries)
    if (this.membership.onAppend(entries)) this.onConfigurationChange()
  }

  /** The newest configuration changed (appended, truncated away, or restored from a snapshot). */
  onConfigurationChange (): void {
    const config = this.config()
    this.logger?.debug('configuration change', { id: this.id, voters: voterIds(config), all: memberIds(config) })
    if (this.role === 'leader') {
      // The lease was won from a quorum of the old configuration: earn it again from the new one.
      this.lease.reset(this.readIndex.currentSeq)
      this.syncProgress()
      if (this.leadTransferee !== undefined && !isVoter(config, this.leadTransferee)) this.leadTransferee = undefined
    } else if ((this.role === 'candidate' || this.role === 'preCandidate') && !this.promotable()) {
      this.becomeFollower(this.term, undefined)
    }
  }

  /** Advances the commit index; returns true when it moved. */
  commitTo (index: number): boolean {
    if (!this.log.commitTo(index)) return false
    this.membership.compact(this.log.committed)
    return true
  }
}
