import type { Clock, LocalHealth, Logger, TimerHandle, TypedEventEmitter } from '@clusterfunk/core'
import { RAFT_PRESETS } from '@clusterfunk/raft'
import { encodeCommand } from '../coordinator/codec.js'
import type { ShardCoordinator } from '../coordinator/coordinator.js'
import type { ClusterAction, ClusterOutcome } from './actions.js'
import type { StateBoard } from './board.js'
import { APPEND_TIMEOUT_MS, BARRIER_TIMEOUT_MS, JOIN_ATTEMPTS, JOIN_RETRY_MS, MEMBERSHIP_CHANGE_TIMEOUT_MS } from './constants.js'
import { Connectivity } from './connectivity.js'
import { ContactLease } from './contact-lease.js'
import { INITIAL_STATE, coordinatorLeads, decide, retire, settle, type ClusterPhase, type Decision, type DecideState } from './decide.js'
import type { FacadeMetrics } from './facade-metrics.js'
import { gatherView, hasRaftState } from './gather.js'
import type { MembershipChange } from './membership.js'
import type { ResolvedClusterInit } from './options.js'
import type { ClusterParts } from './parts.js'
import type { LocalEndpoints } from './tags.js'
import type { ClusterEvents } from './types.js'

/** What a `ControlLoop` drives and reports to. */
export interface ControlLoopComponents {
  parts: ClusterParts
  coordinator: ShardCoordinator
  clock: Clock
  /** This process's local health, shared with the liveness checker: a stalled leader waits longer for acks. */
  health: LocalHealth
  logger: Logger
  board: StateBoard
  emitter: TypedEventEmitter<ClusterEvents>
  metrics: FacadeMetrics
  endpoints: LocalEndpoints
}

/** Options of a `ControlLoop`. */
export interface ControlLoopInit {
  options: ResolvedClusterInit
}

/** The leader's latest proposal, for `reshard:done`: its version, size, when it was appended and when every ack was in. */
interface OpenProposal { version: number, nodes: number, appendedAt: number, ackedAt: number | undefined }

/**
 * The control loop of one run of a node, and the only place where its
 * decisions take effect: on every step it gathers a `ClusterView` from the
 * parts, asks `decide` what to do, performs the actions in order and then
 * acts on the coordinator's outputs (appends, acks owed, committed maps).
 * Asynchronous actions (the barrier, a bootstrap, a membership change)
 * come back through `settle`. Steps run on a timer (the heartbeat, the
 * coordinator's deadline, the lease's end) and, after any change, through
 * `Clock.defer` — once for a burst of changes.
 */
export class ControlLoop {
  private readonly c: ControlLoopComponents
  private readonly init: ControlLoopInit
  private readonly connectivity: Connectivity
  private readonly lease: ContactLease
  private readonly heartbeatMs: number
  private state: DecideState = INITIAL_STATE
  private timer: TimerHandle | undefined
  private pumpScheduled = false
  /** No more timed steps: the node is stopping (deferred ones still run until `detach`). */
  private halted = false
  private detached = false
  private nextTickAt = Infinity
  private proposal: OpenProposal | undefined

  constructor (components: ControlLoopComponents, init: ControlLoopInit) {
    this.c = components
    this.init = init
    this.heartbeatMs = RAFT_PRESETS[init.options.raftPreset].heartbeatMs
    this.connectivity = new Connectivity({ parts: components.parts, logger: components.logger, join: init.options.join })
    this.lease = new ContactLease({ raft: components.parts.raft, clock: components.clock, logger: components.logger, changed: () => { this.wake() } }, init.options.leaseMs)
  }

  /** Where the control loop stands. */
  get phase (): ClusterPhase { return this.state.phase }
  /** This node leads and its coordinator took over (after the barrier). */
  get leading (): boolean { return coordinatorLeads(this.state.phase) }
  /** This node bootstrapped the Raft group in this run. */
  get bootstrapped (): boolean { return this.state.bootstrapped }

  /** The parts are started: listen to them and take the first step. */
  start (): void {
    const p = this.c.parts
    const emitter = this.c.emitter
    const changed = (): void => { this.schedule(0) }
    p.swim.addEventListener('member:join', e => { emitter.emit('node:join', { nodeId: e.detail.id }); changed() })
    p.swim.addEventListener('member:leave', e => { emitter.emit('node:leave', { nodeId: e.detail.id }); changed() })
    p.swim.addEventListener('member:failed', e => { emitter.emit('node:leave', { nodeId: e.detail.id }); changed() })
    p.swim.addEventListener('member:update', changed)
    p.checker.addEventListener('node:dead', e => { emitter.emit('node:dead', { nodeId: e.detail.nodeId }); changed() })
    p.checker.addEventListener('node:alive', e => {
      emitter.emit('node:alive', { nodeId: e.detail.nodeId })
      // A restarted member: Raft's link to it must not wait out a back-off that grew while it was down.
      const config = p.raft.stats().configuration
      const member = [...config.voters, ...config.nonVoters].find(m => m.id === e.detail.nodeId)
      if (member !== undefined) p.transport.peerBack?.(member.address)
      this.c.coordinator.nodeAlive(this.c.clock.now(), e.detail.nodeId)
      this.wake()
    })
    p.raft.addEventListener('role:change', changed)
    p.raft.addEventListener('leader:change', changed)
    p.raft.addEventListener('peer:change', changed)
    this.schedule(0)
  }

  /** Steps soon, after the I/O at hand, so a burst of changes (a batch of applied entries) is acted on once. */
  wake (): void {
    if (this.pumpScheduled) return
    this.pumpScheduled = true
    this.c.clock.defer(() => {
      this.pumpScheduled = false
      if (!this.detached) this.step()
    })
  }

  /** A node acked proposal `version`; false when this node's coordinator does not lead. */
  receiveAck (nodeId: string, version: number): boolean {
    if (!this.c.coordinator.isLeader) return false
    this.c.coordinator.receiveAck(this.c.clock.now(), nodeId, version)
    this.wake()
    return true
  }

  /** Joins SWIM through `addresses`, retrying while the node runs. */
  async join (addresses: readonly string[]): Promise<void> {
    for (let attempt = 0; attempt < JOIN_ATTEMPTS && !this.detached && !this.halted; attempt++) {
      try {
        await this.c.parts.swim.join(addresses)
        return
      } catch (err) {
        this.c.logger.debug('join failed, retrying', { error: err instanceof Error ? err.message : String(err) })
        await new Promise<void>(resolve => { this.c.clock.setTimeout(resolve, JOIN_RETRY_MS) })
      }
    }
  }

  /** The node is stopping: no more timed steps. */
  halt (): void {
    this.halted = true
    if (this.timer !== undefined) this.c.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  /** The leader's duties end (the node is stopping, after handing leadership over). */
  retire (): void {
    this.apply(retire(this.state), this.c.clock.now())
  }

  /** The parts are gone: nothing runs any more. */
  detach (): void {
    this.halt()
    this.detached = true
  }

  /** Runs `step` after `ms` (sooner replaces later). */
  private schedule (ms: number): void {
    if (this.detached || this.halted) return
    if (this.timer !== undefined) this.c.clock.clearTimeout(this.timer)
    this.timer = this.c.clock.setTimeout(() => { this.timer = undefined; this.step() }, ms)
  }

  private step (): void {
    const p = this.c.parts
    if (this.detached || p.raft.status !== 'started') return
    try {
      const now = this.c.clock.now()
      const view = gatherView(p, {
        now,
        leaseValid: this.lease.valid(now),
        nextTickAt: this.nextTickAt,
        state: this.c.board.state,
        role: this.c.board.role,
        options: this.init.options,
        serving: new Set(this.c.coordinator.committedMap?.map.nodes().map(n => n.id) ?? [])
      })
      this.apply(decide(this.state, view), now)
      const config = view.raft.configuration
      this.c.metrics.size.set(config.voters.length + config.nonVoters.length)
      this.drain()
    } catch (err) {
      // Not expected: Raft refuses to serve after a failed disk write. The node can no longer be trusted to serve.
      this.c.logger.error('cluster step failed', { error: err instanceof Error ? err.message : String(err) })
      this.c.board.setState('Invalid')
    }
    const next = this.c.clock.now()
    // Also exactly when the lease runs out: a node must not say Operational a moment past it.
    const wake = this.lease.nextWake(next)
    this.schedule(Math.min(this.heartbeatMs, Math.max(0, this.nextTickAt - next), wake - next))
  }

  private apply (decision: Decision, now: number): void {
    this.state = decision.state
    for (const action of decision.actions) this.perform(action, now)
  }

  private settle (outcome: ClusterOutcome): void {
    this.apply(settle(this.state, outcome), this.c.clock.now())
  }

  private perform (action: ClusterAction, now: number): void {
    const { parts: p, coordinator, board } = this.c
    switch (action.type) {
      case 'report-leader': board.setLeader(action.leaderId); break
      case 'barrier': this.barrier(); break
      case 'coordinator-lead': coordinator.becomeLeader(now); break
      case 'coordinator-follow':
        this.proposal = undefined
        coordinator.loseLeadership()
        break
      case 'liveness-watch': p.checker.add(action.nodeId, action.address, { probeNow: action.probeNow }); break
      case 'liveness-retain': {
        const keep = new Set(action.nodeIds)
        for (const n of p.checker.nodes()) if (!keep.has(n.id)) p.checker.remove(n.id)
        break
      }
      case 'liveness-stop': p.checker.clear(); break
      case 'coordinator-candidates':
        coordinator.setCandidates(now, new Map(action.nodeIds.map((id, i) => [id, action.weights?.[i] ?? 1])))
        this.wake()
        break
      case 'membership': this.changeMembership(action.change); break
      case 'lease-renew': this.lease.renew(now); break
      case 'coordinator-contact': coordinator.setLeaderContact(now, action.valid); break
      case 'coordinator-tick': coordinator.tick(now, this.c.health.recentDelayMs()); break
      case 'bootstrap': this.bootstrap(action.configuration); break
      case 'report-bootstrap-waiting': this.c.emitter.emit('bootstrap:waiting', { expect: action.expect, seen: [...action.seen] }); break
      case 'mend-swim': this.connectivity.mendSwim(now, action.leaderId, action.serving); break
      case 'warm-raft': this.connectivity.warmRaft(action.isLeader, action.configuration); break
      case 'report-role': board.setRole(action.role); break
      case 'publish-tags': p.swim.setTags(this.c.endpoints.tags(p, hasRaftState(p))); break
      case 'step-now': this.schedule(0); break
      case 'wake': this.wake(); break
    }
  }

  private barrier (): void {
    const raft = this.c.parts.raft
    raft.barrier({ timeoutMs: BARRIER_TIMEOUT_MS }).then(() => {
      if (!this.detached) this.settle({ type: 'barrier', ok: true, leader: raft.stats().role === 'leader' })
    }, (err: unknown) => {
      this.c.logger.debug('barrier failed', { error: err instanceof Error ? err.message : String(err) })
      this.settle({ type: 'barrier', ok: false, leader: false })
    })
  }

  private bootstrap (configuration: Parameters<ClusterParts['raft']['bootstrap']>[0]): void {
    this.c.logger.info('bootstrapping the cluster', { voters: configuration.voters.map(v => v.id) })
    this.c.parts.raft.bootstrap(configuration).then(() => {
      this.settle({ type: 'bootstrap', ok: true })
    }, (err: unknown) => {
      this.c.logger.warn('bootstrap failed', { error: err instanceof Error ? err.message : String(err) })
      this.settle({ type: 'bootstrap', ok: false })
    })
  }

  private changeMembership (change: MembershipChange): void {
    this.applyChange(change).then(() => {
      this.c.logger.info('membership changed', { ...change })
    }, (err: unknown) => {
      this.c.logger.debug('membership change failed', { ...change, error: err instanceof Error ? err.message : String(err) })
    }).finally(() => { this.settle({ type: 'membership' }) })
  }

  private async applyChange (change: MembershipChange): Promise<void> {
    const raft = this.c.parts.raft
    const options = { timeoutMs: MEMBERSHIP_CHANGE_TIMEOUT_MS }
    switch (change.type) {
      case 'addVoter': await raft.addVoter(change.id, change.address, options); break
      case 'addNonVoter': await raft.addNonVoter(change.id, change.address, options); break
      case 'remove': await raft.removeServer(change.id, options); break
      case 'demote': await raft.demoteVoter(change.id, options); break
    }
  }

  /** Acts on what the coordinator asked for, then reports the node's state. */
  private drain (): void {
    const { parts: p, coordinator, clock, emitter, metrics } = this.c
    const out = coordinator.drain()
    for (const command of out.append) {
      if (command.type === 'propose') this.proposal = { version: command.version, nodes: command.map.nodes().length, appendedAt: clock.now(), ackedAt: undefined }
      else if (this.proposal?.version === command.version) this.proposal.ackedAt = clock.now()
      p.raft.apply(encodeCommand(command), { timeoutMs: APPEND_TIMEOUT_MS }).catch((err: unknown) => {
        this.c.logger.debug('append failed', { type: command.type, version: command.version, error: err instanceof Error ? err.message : String(err) })
      })
    }
    const ack = out.acks.at(-1)
    if (ack !== undefined) p.acks.owe(ack)
    if (out.stepDown) p.raft.transferLeadership().catch(() => {})
    if (out.missed.length > 0) this.connectivity.reachOut(out.missed)
    for (const change of out.shards) {
      metrics.shardsOwned.set(coordinator.committedMap?.map.countOf(p.nodeId) ?? 0)
      emitter.emit('shards:change', { version: change.version, gained: change.gained, lost: change.lost, replicaGained: change.replicaGained, replicaLost: change.replicaLost })
    }
    for (const version of out.commits) {
      metrics.mapVersion.set(version)
      const proposal = this.proposal
      if (proposal?.version === version && proposal.ackedAt !== undefined) {
        this.proposal = undefined
        const now = clock.now()
        emitter.emit('reshard:done', { version, nodes: proposal.nodes, ackedMs: proposal.ackedAt - proposal.appendedAt, durationMs: now - proposal.appendedAt })
      }
    }
    this.nextTickAt = out.nextTickAt
    if (coordinator.pendingMap !== undefined) this.c.board.proposalSeen()
    const config = p.raft.configuration()
    this.c.board.setState(config.voters.length + config.nonVoters.length === 0 ? 'Joining' : coordinator.state)
  }
}
