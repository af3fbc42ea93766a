import type { ClusterAction } from './actions.js'
import { nextMembershipChange, type MemberView } from './membership.js'
import type { ClusterView, LivenessFact } from './view.js'

/** What the leader's duties remember between steps. */
export interface DutiesState {
  /** The candidate ids last given to the coordinator, joined; '' forces the next to be given. */
  candidatesKey: string
  /** The checker was given the members once since this node began to lead. */
  livenessSynced: boolean
  /** A membership change is in flight: the next waits for it. */
  changing: boolean
  /** Since when a member of the Raft group has been unknown to SWIM. */
  missingSince: ReadonlyMap<string, number>
}

/** The duties of a node that does not lead (or has just begun to). */
export const IDLE_DUTIES: DutiesState = { candidatesKey: '', livenessSynced: false, changing: false, missingSince: new Map() }

/**
 * What only the leader does, on every step while it leads: it keeps the
 * liveness checker probing every live member's `ep.liveness`, gives the
 * coordinator the nodes fit to serve (live in SWIM, in the Raft group, not
 * declared dead by the checker), and makes the Raft group follow SWIM one
 * membership change at a time — adding a member only once the checker
 * heard it too.
 */
export function leaderDuties (state: DutiesState, view: ClusterView): { state: DutiesState, actions: ClusterAction[] } {
  const actions: ClusterAction[] = []
  const live = view.members.filter(m => m.status === 'alive' || m.status === 'suspect')
  const checker = syncLiveness(state.livenessSynced, live, view.liveness, actions)
  const config = view.raft.configuration
  const inConfig = new Set([...config.voters, ...config.nonVoters].map(m => m.id))
  const self = view.nodeId

  let candidatesKey = state.candidatesKey
  // A node outside the committed map joins it only once Raft reaches it: a proposal naming a node the
  // leader cannot replicate to (a restarted node whose link is still reconnecting) waits out the ack
  // timeout, leaves it out again and makes one more round. Nodes of the map are never held back, nor
  // is anyone before the first map (the group was just bootstrapped from members known to be there).
  const reached = (id: string): boolean => view.serving.size === 0 || view.serving.has(id) || view.raft.answered.has(id)
  const fit = live.filter(m => inConfig.has(m.id) && (m.id === self || (checker.get(m.id)?.state !== 'dead' && reached(m.id))))
    .sort((a, b) => a.id < b.id ? -1 : (a.id > b.id ? 1 : 0))
  const ids = fit.map(m => m.id)
  const weights = fit.map(m => m.weight ?? 1)
  const key = fit.map((m, i) => `${m.id} ${weights[i] as number}`).join('\n')
  if (key !== candidatesKey) {
    candidatesKey = key
    actions.push({ type: 'coordinator-candidates', nodeIds: ids, weights })
  }

  if (state.changing) return { state: { ...state, candidatesKey, livenessSynced: true }, actions }
  const views = new Map<string, MemberView>()
  for (const m of view.members) {
    // A member is added only once the liveness checker heard it. SWIM alone can be stale: a new
    // leader may hold alive a node whose leave has not reached it yet, and adding that node back
    // (promoted at once while the log is short) counts a voter that is gone against the quorum.
    const heard = inConfig.has(m.id) || m.id === self || checker.get(m.id)?.state === 'alive'
    const status = m.status === 'alive' && !heard ? 'suspect' : m.status
    views.set(m.id, { id: m.id, status, raftAddress: m.raftAddress, since: m.statusChangedAt })
  }
  const missingSince = new Map(state.missingSince)
  for (const m of [...config.voters, ...config.nonVoters]) {
    if (views.has(m.id)) { missingSince.delete(m.id); continue }
    const since = missingSince.get(m.id) ?? view.now
    missingSince.set(m.id, since)
    views.set(m.id, { id: m.id, status: 'dead', raftAddress: m.address, since })
  }
  const change = nextMembershipChange({
    self, configuration: config, members: views, maxVoters: view.options.maxVoters, answered: view.raft.answered, failedRemovalMs: view.options.failedRemovalMs, now: view.now
  })
  if (change !== undefined) actions.push({ type: 'membership', change })
  return { state: { candidatesKey, livenessSynced: true, changing: change !== undefined, missingSince }, actions }
}

/**
 * Watches every live member that publishes a liveness endpoint (again when
 * it moved) and stops watching the rest. Returns what the checker holds
 * afterwards: a node watched anew is `unknown` until it answers.
 */
function syncLiveness (synced: boolean, live: ClusterView['members'], watched: readonly LivenessFact[], actions: ClusterAction[]): Map<string, LivenessFact> {
  const checker = new Map(watched.map(n => [n.id, n]))
  const seen: string[] = []
  for (const m of live) {
    const address = m.livenessAddress
    if (address === undefined) continue
    seen.push(m.id)
    const known = checker.get(m.id)?.address
    if (known !== undefined && known.host === address.host && known.port === address.port) continue
    // Members found when leadership began are spread over an interval; one that joins later is probed
    // at once, since it is taken in only once the checker heard it.
    actions.push({ type: 'liveness-watch', nodeId: m.id, address, probeNow: synced })
    checker.set(m.id, { id: m.id, address, state: 'unknown' })
  }
  if ([...checker.keys()].some(id => !seen.includes(id))) actions.push({ type: 'liveness-retain', nodeIds: seen })
  for (const id of [...checker.keys()]) if (!seen.includes(id)) checker.delete(id)
  return checker
}
