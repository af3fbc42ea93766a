import type { ClusterRole } from '@clusterfunk/management'
import type { ClusterAction, ClusterOutcome } from './actions.js'
import { bootstrapDecision } from './bootstrap.js'
import { IDLE_DUTIES, leaderDuties, type DutiesState } from './duties.js'
import type { ClusterView } from './view.js'

/**
 * Where a node stands in the cluster's control loop:
 * - `waiting`: no Raft state yet; safe bootstrap may pick it, or a leader will add it.
 * - `bootstrapping`: it bootstraps the Raft group (in flight).
 * - `following`: it holds Raft state and does not lead.
 * - `becoming-leader`: Raft made it leader; its barrier is in flight, the coordinator does not lead yet.
 * - `leading`: the barrier passed; the coordinator leads and the leader's duties run on every step.
 * - `handing-over`: it led and is stopping: the duties stopped, the coordinator leads until Raft says otherwise.
 */
export type ClusterPhase = 'waiting' | 'bootstrapping' | 'following' | 'becoming-leader' | 'leading' | 'handing-over'

/** What the control loop remembers between steps. */
export interface DecideState {
  phase: ClusterPhase
  /** The leader this node knows (and last reported). */
  leaderId: string | undefined
  /** This node bootstrapped the Raft group during this run. */
  bootstrapped: boolean
  duties: DutiesState
  /** Safe bootstrap: the ids last reported by `report-bootstrap-waiting`, comma-joined (undefined: none yet). */
  waitingSeen?: string
}

/** A decision: the next state and what to do, in order. */
export interface Decision {
  state: DecideState
  actions: ClusterAction[]
}

/** The state a node starts its control loop in. */
export const INITIAL_STATE: DecideState = { phase: 'waiting', leaderId: undefined, bootstrapped: false, duties: IDLE_DUTIES }

/** Whether the coordinator leads in this phase (the node took over after its barrier). */
export function coordinatorLeads (phase: ClusterPhase): boolean {
  return phase === 'leading' || phase === 'handing-over'
}

/**
 * One step of a node's control loop, from what it sees now. In order: it
 * reports a new leader; a node Raft made leader commits a barrier before
 * its coordinator leads (so it has applied every map its predecessor
 * committed), and one that lost leadership hands the coordinator back and
 * stops checking liveness; the leader does its duties (`leaderDuties`);
 * every node renews its serving lease and tells the coordinator whether it
 * holds, ticks the coordinator when due, bootstraps when safe bootstrap
 * picks it, mends SWIM and warms Raft connections, and reports its role.
 */
export function decide (state: DecideState, view: ClusterView): Decision {
  const actions: ClusterAction[] = []
  const raft = view.raft
  const isLeader = raft.role === 'leader'
  let { phase, leaderId, duties, waitingSeen } = state
  if (raft.leaderId !== leaderId) {
    leaderId = raft.leaderId
    actions.push({ type: 'report-leader', leaderId })
  }
  if (isLeader && !coordinatorLeads(phase) && phase !== 'becoming-leader') {
    phase = 'becoming-leader'
    actions.push({ type: 'barrier' })
  }
  if (!isLeader && coordinatorLeads(phase)) {
    // A deposed leader's duties end with it: the checker forgets every node.
    phase = 'following'
    duties = { ...duties, candidatesKey: '' }
    actions.push({ type: 'coordinator-follow' }, { type: 'liveness-stop' })
  }
  if (phase === 'leading') {
    const done = leaderDuties(duties, view)
    duties = done.state
    actions.push(...done.actions)
  }
  // Serving needs a lease, leader or not: a round trip that proves this node holds every map committed before it asked.
  actions.push({ type: 'lease-renew' }, { type: 'coordinator-contact', valid: view.leaseValid })
  if (view.tickDue) actions.push({ type: 'coordinator-tick' })
  if (phase === 'waiting' && raft.hasState) phase = 'following'
  if (phase === 'following' && !raft.hasState) phase = 'waiting'
  const expect = view.options.bootstrapExpect
  if (expect !== undefined && phase === 'waiting') {
    const alive = view.members.filter(m => m.status === 'alive').map(m => ({ id: m.id, raftAddress: m.raftAddress, member: m.raftMember }))
    const decision = bootstrapDecision(view.nodeId, expect, alive)
    if (decision !== 'wait') {
      phase = 'bootstrapping'
      actions.push({ type: 'bootstrap', configuration: decision })
    } else if (!alive.some(m => m.member)) {
      // Say who is seen each time that changes, so an operator can tell which node is missing.
      const seen = alive.filter(m => m.raftAddress !== undefined).map(m => m.id).sort()
      const key = seen.join(',')
      if (key !== waitingSeen) {
        waitingSeen = key
        actions.push({ type: 'report-bootstrap-waiting', expect, seen })
      }
    }
  }
  const config = raft.configuration
  const inVoters = config.voters.some(m => m.id === view.nodeId)
  const inNonVoters = config.nonVoters.some(m => m.id === view.nodeId)
  const inGroup = inVoters || inNonVoters
  if (!isLeader) actions.push({ type: 'mend-swim', leaderId: raft.leaderId, serving: inGroup && view.state !== 'Joining' })
  if (isLeader || !inGroup) actions.push({ type: 'warm-raft', isLeader, configuration: config })
  const role: ClusterRole = isLeader ? 'Leader' : inVoters ? 'Follower' : inNonVoters ? 'NonVoter' : 'NonMember'
  if (role !== view.role) actions.push({ type: 'report-role', role })
  const self = view.members.find(m => m.id === view.nodeId)
  if (raft.hasState && self !== undefined && !self.raftMember) actions.push({ type: 'publish-tags' })
  return { state: { ...state, phase, leaderId, duties, ...(waitingSeen === undefined ? {} : { waitingSeen }) }, actions }
}

/**
 * An asynchronous action came back: a barrier that passed while Raft still
 * makes this node leader hands it the coordinator and begins the leader's
 * duties (afresh, but a membership change in flight is still awaited); a
 * barrier that failed or came too late leaves the node following, to try
 * again if it leads on the next step. A bootstrap that failed lets the
 * node wait again; one that passed is remembered. A finished membership
 * change lets the next one go.
 */
export function settle (state: DecideState, outcome: ClusterOutcome): Decision {
  switch (outcome.type) {
    case 'barrier': {
      if (state.phase !== 'becoming-leader') return { state, actions: [] }
      if (!outcome.ok || !outcome.leader) return { state: { ...state, phase: 'following' }, actions: [] }
      const duties = { ...IDLE_DUTIES, changing: state.duties.changing }
      return { state: { ...state, phase: 'leading', duties }, actions: [{ type: 'coordinator-lead' }, { type: 'step-now' }] }
    }
    case 'bootstrap':
      if (!outcome.ok) return { state: state.phase === 'bootstrapping' ? { ...state, phase: 'waiting' } : state, actions: [] }
      return { state: { ...state, bootstrapped: true, phase: state.phase === 'bootstrapping' ? 'following' : state.phase }, actions: [{ type: 'step-now' }] }
    case 'membership':
      return { state: { ...state, duties: { ...state.duties, changing: false } }, actions: [{ type: 'wake' }] }
  }
}

/**
 * The node is stopping: the leader's duties end (the checker forgets every
 * node) while the coordinator keeps leading until Raft says otherwise.
 */
export function retire (state: DecideState): Decision {
  const phase = state.phase === 'leading' ? 'handing-over' : state.phase
  return { state: { ...state, phase, duties: { ...state.duties, candidatesKey: '' } }, actions: [{ type: 'liveness-stop' }] }
}
