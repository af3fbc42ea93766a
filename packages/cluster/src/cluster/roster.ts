import type { LivenessStatus, NodeEndpoint, Suffrage, SwimStatus } from '@clusterfunk/management'
import type { ClusterParts } from './parts.js'
import type { ClusterNode } from './types.js'

const SWIM_STATUS: Record<string, SwimStatus> = { alive: 'Alive', suspect: 'Suspect', dead: 'Dead', left: 'Left' }
const LIVENESS: Record<string, LivenessStatus> = { alive: 'Alive', dead: 'Dead', unknown: 'Unknown' }

/** An endpoint name without its `ep.` tag prefix. */
export function bareEndpointName (name: string): string {
  return name.startsWith('ep.') ? name.slice(3) : name
}

/** Every endpoint of every live member, sorted by node id then name; with `name`, only that endpoint. */
export function listEndpoints (parts: Pick<ClusterParts, 'swim'>, name?: string): NodeEndpoint[] {
  const bare = name === undefined ? undefined : bareEndpointName(name)
  const out: NodeEndpoint[] = []
  for (const m of parts.swim.members()) {
    for (const [tag, address] of m.tags) {
      if (!tag.startsWith('ep.')) continue
      const n = tag.slice(3)
      if (bare === undefined || n === bare) out.push({ nodeId: m.id, name: n, address })
    }
  }
  return out.sort((a, b) => a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

/**
 * Every node Raft or SWIM knows, sorted by id: suffrage, SWIM status,
 * liveness (what the checker says when `checking`, as the leader's does;
 * `Unknown` otherwise), whether it is `leaderId`, and its endpoints.
 */
export function listNodes (parts: Pick<ClusterParts, 'raft' | 'swim' | 'checker'>, leaderId: string | undefined, checking: boolean): ClusterNode[] {
  const config = parts.raft.configuration()
  const suffrage = new Map<string, Suffrage>()
  for (const m of config.voters) suffrage.set(m.id, 'Voter')
  for (const m of config.nonVoters) suffrage.set(m.id, 'NonVoter')
  const swim = new Map(parts.swim.allMembers().map(m => [m.id, m]))
  const ids = [...new Set([...suffrage.keys(), ...swim.keys()])].sort()
  return ids.map(id => {
    const member = swim.get(id)
    const endpoints: Record<string, string> = {}
    for (const [tag, address] of member?.tags ?? []) if (tag.startsWith('ep.')) endpoints[tag.slice(3)] = address
    const liveness = checking ? parts.checker.nodeStatus(id)?.state : undefined
    return {
      id,
      suffrage: suffrage.get(id) ?? 'None',
      swim: member === undefined ? 'Unknown' : SWIM_STATUS[member.status] ?? 'Unknown',
      liveness: liveness === undefined ? 'Unknown' : LIVENESS[liveness] ?? 'Unknown',
      leader: id === leaderId,
      endpoints
    }
  })
}
