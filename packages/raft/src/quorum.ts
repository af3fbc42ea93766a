import type { NodeId } from './configuration.js'

/**
 * The highest index a majority of `voters` hold, given each voter's match
 * index (missing voters count as 0). With no voters nothing can commit: 0.
 */
export function quorumIndex (voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  if (voters.length === 0) return 0
  const matches = voters.map(matchOf).sort((a, b) => b - a)
  return matches[Math.floor(voters.length / 2)] as number
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
