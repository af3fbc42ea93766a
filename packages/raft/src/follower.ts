import { campaign, pollVote } from './election.js'
import type { AppendEntriesRequest, HeartbeatRequest, InstallSnapshotRequest, Message } from './messages.js'
import type { RaftState } from './raft-state.js'

/** Follower: campaigns after a randomized election timeout without hearing from a leader. */
export function tickElection (r: RaftState): void {
  r.electionElapsed++
  if (r.promotable() && r.pastElectionTimeout()) {
    r.electionElapsed = 0
    campaign(r, r.opts.preVote ? 'preVote' : 'vote')
  }
}

/** Follower (voter or not). */
export function stepFollower (r: RaftState, m: Message): void {
  switch (m.type) {
    case 'appendEntries':
      r.electionElapsed = 0
      r.leaderId = m.from
      handleAppendEntries(r, m)
      break
    case 'heartbeat':
      r.electionElapsed = 0
      r.leaderId = m.from
      handleHeartbeat(r, m)
      break
    case 'installSnapshot':
      r.electionElapsed = 0
      r.leaderId = m.from
      handleSnapshot(r, m)
      break
    case 'timeoutNow':
      // The leader hands over: campaign at once, skipping pre-vote and the voters' leader lease.
      campaign(r, 'transfer')
      break
    case 'readIndexResponse':
      r.readStates.push({ requestId: m.requestId, index: m.index })
      break
    default:
      break
  }
}

/** Pre-candidate and candidate: count votes; a leader of this term makes us its follower. */
export function stepCandidate (r: RaftState, m: Message): void {
  switch (m.type) {
    case 'appendEntries':
    case 'heartbeat':
    case 'installSnapshot':
      r.becomeFollower(m.term, m.from)
      stepFollower(r, m)
      break
    case 'preVoteResponse':
      if (r.role === 'preCandidate') pollVote(r, m)
      break
    case 'voteResponse':
      if (r.role === 'candidate') pollVote(r, m)
      break
    default:
      break
  }
}

function respond (r: RaftState, to: string, success: boolean, matchIndex: number, rejectedIndex = 0, conflictTerm = 0, conflictIndex = 0): void {
  r.send({ type: 'appendEntriesResponse', to, success, matchIndex, rejectedIndex, conflictTerm, conflictIndex })
}

/** Raft §5.3: accept entries that follow a matching entry; otherwise reject with a conflict hint. */
function handleAppendEntries (r: RaftState, m: AppendEntriesRequest): void {
  if (m.prevLogIndex < r.log.committed) {
    respond(r, m.from, true, r.log.committed)
    return
  }
  const result = r.log.maybeAppend(m.prevLogIndex, m.prevLogTerm, m.entries)
  if (result !== undefined) {
    if (r.membership.onAppend(result.appended)) r.onConfigurationChange()
    r.commitTo(Math.min(m.commit, result.lastNew))
    respond(r, m.from, true, result.lastNew)
    return
  }
  const last = r.log.lastIndex()
  if (m.prevLogIndex > last) {
    respond(r, m.from, false, 0, m.prevLogIndex, 0, last + 1)
  } else {
    respond(r, m.from, false, 0, m.prevLogIndex, r.log.term(m.prevLogIndex) ?? 0, r.log.firstIndexOfTerm(m.prevLogIndex))
  }
}

function handleHeartbeat (r: RaftState, m: HeartbeatRequest): void {
  r.commitTo(m.commit)
  r.send({ type: 'heartbeatResponse', to: m.from, readSeq: m.readSeq })
}

/**
 * Raft §7: a snapshot newer than our commit index replaces the log (the
 * driver persists it from `Ready.snapshot`); one we already cover only
 * moves the commit index.
 */
function handleSnapshot (r: RaftState, m: InstallSnapshotRequest): void {
  const s = m.snapshot
  if (s.index <= r.log.committed) {
    respond(r, m.from, true, r.log.committed)
    return
  }
  if (r.log.matchTerm(s.index, s.term)) {
    r.commitTo(s.index)
    respond(r, m.from, true, r.log.committed)
    return
  }
  r.log.restore(s)
  r.membership.reset({ index: s.index, configuration: s.configuration })
  r.onConfigurationChange()
  respond(r, m.from, true, r.log.lastIndex())
}
