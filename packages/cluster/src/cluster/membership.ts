import type { Configuration } from '@clusterfunk/raft'

/** What the leader knows of one member from SWIM, for `nextMembershipChange`. */
export interface MemberView {
  id: string
  /** SWIM's status; a member SWIM no longer knows is `dead` since it vanished. */
  status: 'alive' | 'suspect' | 'dead' | 'left'
  /** Its `ep.raft` tag, when it published one. */
  raftAddress: string | undefined
  /** When `status` last changed (clock time). */
  since: number
}

/** One Raft membership change the leader should make next. */
export type MembershipChange =
  | { type: 'addVoter', id: string, address: string }
  | { type: 'addNonVoter', id: string, address: string }
  | { type: 'remove', id: string }
  | { type: 'demote', id: string }

/** What `nextMembershipChange` decides from. */
export interface MembershipInput {
  /** The leader's id: it never removes or demotes itself. */
  self: string
  configuration: Configuration
  members: ReadonlyMap<string, MemberView>
  maxVoters: number
  /** Members of the group that answered the leader's Raft messages lately (the leader's replication to them works). */
  answered: ReadonlySet<string>
  /** How long a failed member stays in the group before it is removed. */
  failedRemovalMs: number
  now: number
}

/**
 * The leader follows SWIM, one Raft change at a time (the driver calls this
 * again after each change): first it removes members that left gracefully
 * or stayed failed past `failedRemovalMs` (never on its own reachability,
 * so a partitioned leader cannot trim the group to what it sees) and
 * members that came back on another Raft address (re-added next), then adds
 * alive members that are not in the group as non-voters, then promotes
 * alive non-voters that answered Raft into free voter seats (fewer than
 * `maxVoters`), and demotes voters above `maxVoters`. A member joins as a
 * non-voter first, always: one whose Raft traffic cannot get through (it
 * runs without the cluster's TLS, say) then stays a non-voter, counting
 * towards no quorum, instead of holding every other change up while a
 * promotion waits for an answer that never comes.
 * Ties are broken by id, so the outcome does not depend on event order.
 */
export function nextMembershipChange (input: MembershipInput): MembershipChange | undefined {
  const { self, configuration: config, members, maxVoters, answered, failedRemovalMs, now } = input
  const byId = (a: { id: string }, b: { id: string }): number => a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  const inConfig = [...config.voters, ...config.nonVoters].sort(byId)
  for (const m of inConfig) {
    if (m.id === self) continue
    const view = members.get(m.id)
    if (view === undefined) continue
    if (view.status === 'left' || (view.status === 'dead' && now - view.since >= failedRemovalMs)) return { type: 'remove', id: m.id }
    // Back on another Raft address (restarted on a new port without leaving): out, then in again at the new one.
    if (view.status === 'alive' && view.raftAddress !== undefined && view.raftAddress !== m.address) return { type: 'remove', id: m.id }
  }
  const known = new Set(inConfig.map(m => m.id))
  const alive = [...members.values()].filter(v => v.status === 'alive' && v.raftAddress !== undefined).sort(byId)
  for (const v of alive) {
    if (known.has(v.id)) continue
    return { type: 'addNonVoter', id: v.id, address: v.raftAddress as string }
  }
  if (config.voters.length < maxVoters) {
    const promotable = [...config.nonVoters].sort(byId).find(m => members.get(m.id)?.status === 'alive' && answered.has(m.id))
    if (promotable !== undefined) return { type: 'addVoter', id: promotable.id, address: promotable.address }
  }
  if (config.voters.length > maxVoters) {
    const extra = [...config.voters].sort(byId).reverse().find(m => m.id !== self)
    if (extra !== undefined) return { type: 'demote', id: extra.id }
  }
  return undefined
}
