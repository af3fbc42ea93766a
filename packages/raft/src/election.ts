import { TERMS, nextCounter } from '@clusterfunk/core'
import type { VoteRequest, VoteResponse } from './messages.js'
import { voteResult } from './quorum.js'
import type { RaftState } from './raft-state.js'
import { bcastAppend } from './replication.js'

/** How an election starts: with a pre-vote, straight to a vote, or forced by a leadership transfer. */
export type CampaignKind = 'preVote' | 'vote' | 'transfer'

/**
 * Starts an election (Raft §5.2). With pre-vote the node first asks whether
 * it could win, without bumping its term, so a node that cannot reach a
 * majority never disrupts the cluster (dissertation §9.6).
 */
export function campaign (r: RaftState, kind: CampaignKind): void {
  if (!r.promotable()) return
  if (r.term >= TERMS.max) {
    // Only a term stored before terms were range-checked can be here (the core refuses to start above the
    // range and never accepts a step to it); there is no next term to campaign in.
    r.logger?.warn('the term is at the end of its range: not campaigning', { id: r.id, term: r.term })
    return
  }
  let voteTerm: number
  if (kind === 'preVote') {
    r.becomePreCandidate()
    voteTerm = nextCounter(TERMS, r.term)
  } else {
    r.becomeCandidate()
    voteTerm = r.term
  }
  r.votes.set(r.id, true)
  if (tally(r, kind === 'preVote')) return
  const type = kind === 'preVote' ? 'preVoteRequest' : 'voteRequest'
  for (const to of r.voters()) {
    if (to === r.id) continue
    r.send({
      type,
      to,
      term: voteTerm,
      lastLogIndex: r.log.lastIndex(),
      lastLogTerm: r.log.lastTerm(),
      leadershipTransfer: kind === 'transfer'
    })
  }
}

/** Acts on the votes counted so far; returns true when the election is decided. */
function tally (r: RaftState, preVote: boolean): boolean {
  const result = voteResult(r.voters(), r.votes)
  if (result === 'won') {
    if (preVote) {
      campaign(r, 'vote')
    } else {
      r.becomeLeader()
      bcastAppend(r)
    }
    return true
  }
  if (result === 'lost') {
    r.becomeFollower(r.term, undefined)
    return true
  }
  return false
}

/**
 * Grants or refuses a (pre-)vote (Raft §5.2, §5.4.1): at most one vote per
 * term, only for a candidate whose log is at least as up to date. A pre-vote
 * is granted for a future term without recording anything.
 */
export function handleVoteRequest (r: RaftState, m: VoteRequest): void {
  const preVote = m.type === 'preVoteRequest'
  const canVote = r.vote === m.from ||
    (r.vote === undefined && r.leaderId === undefined) ||
    (preVote && m.term > r.term)
  const granted = canVote && r.log.isUpToDate(m.lastLogIndex, m.lastLogTerm)
  const type = preVote ? 'preVoteResponse' : 'voteResponse'
  if (granted) {
    // The response carries the request's term, so a pre-candidate does not take it for a newer term.
    r.send({ type, to: m.from, term: m.term, granted: true })
    if (!preVote) {
      r.electionElapsed = 0
      r.vote = m.from
    }
  } else {
    r.send({ type, to: m.from, granted: false })
  }
}

/** A (pre-)candidate counts a vote; votes from non-voters do not count. */
export function pollVote (r: RaftState, m: VoteResponse): void {
  r.votes.set(m.from, m.granted)
  tally(r, r.role === 'preCandidate')
}
