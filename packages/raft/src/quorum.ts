import type { NodeId } from './configuration.js'

/**
 * The highest index a majority of `voters` hold, given each voter's match
 * index (missing voters count as 0). With no voters nothing can commit: 0.
 */
export function quorumIndex (voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  const n = voters.length
  if (n === 0) return 0
  // Called on every acknowledgement: a typed array sorts numbers without a comparator call per pair.
  const matches = new Float64Array(n)
  for (let i = 0; i < n; i++) matches[i] = matchOf(voters[i] as NodeId)
  matches.sort()
  return matches[n - 1 - Math.floor(n / 2)] as number
}

/** The outcome of an election so far. */
export type VoteResult = 'won' | 'lost' | 'pending'

/** Counts `votes` (granted or refused, by voter); votes from non-voters are ignored. */
export function voteResult (voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'lost'
  const majority = Math.floor(voters.length / 2) + 1
  let granted = 0
  let refused = 0
  for (const id of voters) {
    const v = votes.get(id)
    if (v === true) granted++
    else if (v === false) refused++
  }
  if (granted >= majority) return 'won'
  if (refused > voters.length - majority) return 'lost'
  return 'pending'
}

/** True when a majority of `voters` satisfy `ok`. */
export function hasQuorum (voters: readonly NodeId[], ok: (id: NodeId) => boolean): boolean {
  return voters.filter(ok).length >= Math.floor(voters.length / 2) + 1
}
