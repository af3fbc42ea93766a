import type { ClusterRole, ClusterState } from '@clusterfunk/management'
import { parseHostPort } from '@clusterfunk/management'
import type { Member } from '@clusterfunk/swim'
import type { ClusterParts } from './parts.js'
import { ANSWERED_WITHIN_MS } from './constants.js'
import { TAG_LIVENESS, TAG_RAFT, TAG_RAFT_MEMBER, TAG_SHARD_WEIGHT, parseShardWeight } from './tags.js'
import type { ClusterView, DecideOptions, SwimFact } from './view.js'

/** What the loop knows beyond the parts when it gathers a view. */
export interface GatherInput {
  now: number
  leaseValid: boolean
  nextTickAt: number
  state: ClusterState
  role: ClusterRole
  options: DecideOptions
  /** The nodes of the committed shard map. */
  serving: ReadonlySet<string>
}

/** True once this node's Raft storage holds a configuration (it bootstrapped or was added). */
export function hasRaftState (parts: Pick<ClusterParts, 'raft'>): boolean {
  const s = parts.raft.stats()
  return s.lastIndex > 0 || s.snapshotIndex > 0 || s.term > 0
}

/** Reads the parts into a `ClusterView`: Raft's stats, SWIM's members, the checker's nodes. */
export function gatherView (parts: ClusterParts, input: GatherInput): ClusterView {
  const stats = parts.raft.stats()
  return {
    now: input.now,
    nodeId: parts.nodeId,
    raft: {
      role: stats.role,
      leaderId: stats.leaderId,
      configuration: stats.configuration,
      hasState: stats.lastIndex > 0 || stats.snapshotIndex > 0 || stats.term > 0,
      answered: answered(stats.progress, stats.lastContactMs)
    },
    members: swimFacts(parts),
    liveness: parts.checker.nodes().map(n => ({ id: n.id, address: n.address, state: n.state })),
    leaseValid: input.leaseValid,
    tickDue: input.now >= input.nextTickAt,
    state: input.state,
    role: input.role,
    options: input.options,
    serving: input.serving
  }
}

/** Members the leader replicates to that answered lately: a match index above 0, and contact within `ANSWERED_WITHIN_MS`. */
function answered (progress: ReadonlyMap<string, { match: number }>, contactAges: ReadonlyMap<string, number>): Set<string> {
  const ids = new Set<string>()
  for (const [id, p] of progress) {
    const age = contactAges.get(id)
    if (p.match > 0 && age !== undefined && age <= ANSWERED_WITHIN_MS) ids.add(id)
  }
  return ids
}

function swimFacts (parts: ClusterParts): SwimFact[] {
  let members: Member[]
  try {
    members = parts.swim.allMembers()
  } catch {
    // SWIM not started yet (or any more): nobody is known.
    return []
  }
  return members.map(m => ({
    id: m.id,
    status: m.status,
    raftAddress: m.tags.get(TAG_RAFT),
    livenessAddress: parseHostPort(m.tags.get(TAG_LIVENESS) ?? ''),
    raftMember: m.tags.get(TAG_RAFT_MEMBER) === '1',
    weight: parseShardWeight(m.tags.get(TAG_SHARD_WEIGHT)),
    statusChangedAt: m.statusChangedAt
  }))
}
