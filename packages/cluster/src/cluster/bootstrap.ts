import type { Configuration } from '@clusterfunk/raft'

/** A member SWIM holds alive, with the Raft address it published (`ep.raft`). */
export interface BootstrapCandidate {
  id: string
  raftAddress: string | undefined
  /** It already holds Raft state (its `raft.member` tag): a cluster exists, join it instead. */
  member: boolean
}

/**
 * The safe-bootstrap decision of a node without Raft state. Once at least
 * `expect` members (this node included) are alive and published their Raft
 * address, the `expect` lowest ids form the first configuration, and only
 * the lowest of them bootstraps it; every other node waits to be contacted
 * by the leader. Returns the configuration when this node (`self`) must
 * bootstrap, `'wait'` otherwise; never a configuration once any alive
 * member says it already belongs to a Raft group. Every node that sees the same members
 * picks the same bootstrapper, so several nodes started at once never form
 * two clusters.
 */
export function bootstrapDecision (self: string, expect: number, alive: readonly BootstrapCandidate[]): Configuration | 'wait' {
  if (alive.some(m => m.member)) return 'wait'
  const ready = alive.flatMap(m => m.raftAddress === undefined ? [] : [{ id: m.id, raftAddress: m.raftAddress }])
    .sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  if (ready.length < expect) return 'wait'
  const chosen = ready.slice(0, expect)
  if (chosen[0]?.id !== self) return 'wait'
  return { voters: chosen.map(m => ({ id: m.id, address: m.raftAddress })), nonVoters: [] }
}
