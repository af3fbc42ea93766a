import { TERMS } from '@clusterfunk/core'
import { handleVoteRequest } from './election.js'
import type { Message } from './messages.js'
import type { RaftState } from './raft-state.js'
import { messageInRange, type DropReason } from './ranges.js'

const FROM_LEADER = new Set<Message['type']>(['appendEntries', 'heartbeat', 'installSnapshot'])

/**
 * Every message passes here first: the term rules of Raft §5.1 (a newer
 * term makes us a follower of it; an older one is stale), the leader lease
 * that makes voters ignore disruptive elections, and vote requests. Then
 * the role's own step function takes it.
 *
 * Before all that, a message is dropped (and the reason returned) when a
 * number in it is out of range, or when its term is more than
 * `TERMS.maxStep` ahead of ours. Dropping is as safe as losing the message
 * in the network. Honest terms advance by one per election, and pre-vote
 * keeps a partitioned node from inflating its own, so no honest peer is
 * ever that far ahead of a member that was in touch; a forged term near the
 * end of the range, though, would leave the cluster unable to elect a
 * leader ever again (no term after it is representable).
 */
export function stepMessage (r: RaftState, m: Message): DropReason | undefined {
  const dropped = screenMessage(r, m)
  if (dropped !== undefined) return dropped
  if (m.term > r.term) {
    if (m.type === 'voteRequest' || m.type === 'preVoteRequest') {
      // Leader lease (dissertation §4.2.3): while we hear from a live leader, ignore elections,
      // unless the leader itself asked for one by transferring leadership.
      const inLease = (r.leaderId !== undefined && r.electionElapsed < r.opts.electionTicks) || r.quietAfterStart()
      if (inLease && !m.leadershipTransfer && (m.type === 'preVoteRequest' || r.opts.checkQuorum)) return
    }
    if (m.type === 'preVoteRequest' || (m.type === 'preVoteResponse' && m.granted)) {
      // Pre-votes carry a future term and change nothing.
    } else if (FROM_LEADER.has(m.type)) {
      r.becomeFollower(m.term, m.from)
    } else {
      r.becomeFollower(m.term, undefined)
    }
  } else if (m.term < r.term) {
    if ((r.opts.checkQuorum || r.opts.preVote) && (m.type === 'appendEntries' || m.type === 'heartbeat')) {
      // A stale leader (say, back from a partition) learns our term from the answer and steps down;
      // with pre-vote it might otherwise never hear of the newer term.
      r.send({ type: 'appendEntriesResponse', to: m.from, success: false, matchIndex: 0, rejectedIndex: 0, conflictTerm: 0, conflictIndex: 0 })
    } else if (m.type === 'preVoteRequest') {
      r.send({ type: 'preVoteResponse', to: m.from, granted: false })
    }
    return undefined
  }
  if (m.type === 'voteRequest' || m.type === 'preVoteRequest') {
    handleVoteRequest(r, m)
    return undefined
  }
  r.behaviour.step(r, m)
  return undefined
}

/** Why `stepMessage` drops `m`, else undefined. */
export function screenMessage (r: RaftState, m: Message): DropReason | undefined {
  if (!messageInRange(m)) return 'outOfRange'
  if (m.term - r.term > TERMS.maxStep) return 'implausibleTerm'
  return undefined
}
