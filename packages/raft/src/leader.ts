import { isVoter, type NodeId } from './configuration.js'
import type { AppendEntriesResponse, HeartbeatResponse, Message } from './messages.js'
import { hasQuorum, quorumIndex } from './quorum.js'
import type { RaftState } from './raft-state.js'
import { ackedRounds, bcastHeartbeat, sendAppend, sendAppendsWhileAllowed } from './replication.js'

/**
 * Leader: heartbeats every `heartbeatTicks`; every `electionTicks` checks
 * that a quorum was heard from (check-quorum) and gives up a leadership
 * transfer that did not finish.
 */
export function tickHeartbeat (r: RaftState): void {
  r.leaderTicks++
  r.heartbeatElapsed++
  r.electionElapsed++
  if (r.electionElapsed >= r.checkQuorumTicks()) {
    r.electionElapsed = 0
    if (r.opts.checkQuorum && !quorumActive(r)) {
      r.logger?.debug('check-quorum: stepping down', { id: r.id, term: r.term })
      r.becomeFollower(r.term, undefined)
      return
    }
    r.leadTransferee = undefined
  }
  if (r.heartbeatElapsed >= r.opts.heartbeatTicks) {
    r.heartbeatElapsed = 0
    bcastHeartbeat(r)
  }
}

/** True when a majority of voters answered since the last check; resets the marks. */
function quorumActive (r: RaftState): boolean {
  const active = hasQuorum(r.voters(), id => id === r.id || r.progress.get(id)?.recentActive === true)
  for (const [id, pr] of r.progress) if (id !== r.id) pr.recentActive = false
  return active
}

export function stepLeader (r: RaftState, m: Message): void {
  switch (m.type) {
    case 'appendEntriesResponse':
      handleAppendResponse(r, m)
      break
    case 'heartbeatResponse':
      handleHeartbeatResponse(r, m)
      break
    case 'readIndexRequest':
      handleReadIndex(r, m.requestId, m.from)
      break
    default:
      break
  }
}

function handleAppendResponse (r: RaftState, m: AppendEntriesResponse): void {
  const pr = r.progress.get(m.from)
  if (pr === undefined) return
  pr.recentActive = true
  if (!m.success) {
    // Skip the follower's whole conflicting term (dissertation §5.3 optimisation).
    let hintNext = m.conflictIndex
    if (m.conflictTerm > 0) {
      const j = r.log.lastIndexOfTerm(m.rejectedIndex, m.conflictTerm)
      if (j !== undefined) hintNext = j + 1
    }
    if (pr.maybeDecrTo(m.rejectedIndex, hintNext)) {
      if (pr.state === 'replicate') pr.becomeProbe()
      sendAppend(r, m.from)
    }
    return
  }
  const wasPaused = pr.isPaused()
  if (!pr.maybeUpdate(m.matchIndex)) {
    if (wasPaused && !pr.isPaused()) sendAppendsWhileAllowed(r, m.from)
    return
  }
  if (pr.state === 'probe') pr.becomeReplicate()
  else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) pr.becomeReplicate()
  else if (pr.state === 'replicate') pr.inflights.freeLE(m.matchIndex)
  // A new commit index is not broadcast here: the next append carries it, or `flushCommit` when none follows.
  maybeCommit(r)
  if (r.role !== 'leader') return
  sendAppendsWhileAllowed(r, m.from)
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) sendTimeoutNow(r, m.from)
}

function handleHeartbeatResponse (r: RaftState, m: HeartbeatResponse): void {
  const pr = r.progress.get(m.from)
  if (pr === undefined) return
  pr.recentActive = true
  // A heartbeat answer resumes probing (the probe may be lost), but only once the probe is a tick old: heartbeat
  // rounds for ReadIndex come many times a tick, and each would resend a probe that may carry the whole log.
  if (pr.state !== 'probe' || r.leaderTicks > pr.probeSentTick) pr.probeSent = false
  if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne()
  if (pr.match < r.log.lastIndex()) {
    // Behind: an append finds out whether what is in flight was lost (the follower refuses the gap). With every
    // entry sent already, that append is empty, and it goes at most once a tick: heartbeat rounds for ReadIndex
    // bring many answers a tick while one entry is on its way, and each would cost the follower a round.
    const allSent = pr.state === 'replicate' && pr.next > r.log.lastIndex()
    if (!allSent) sendAppend(r, m.from)
    else if (r.leaderTicks > pr.emptyAppendTick && sendAppend(r, m.from)) pr.emptyAppendTick = r.leaderTicks
  }
  if (m.readSeq > pr.readSeqAcked) {
    pr.readSeqAcked = m.readSeq
    ackedRounds(r)
    releaseReads(r)
  }
}

/**
 * The commit rule (Raft §5.3, §5.4.2): commit the highest index a majority
 * of voters hold, but only when that entry is of the current term.
 * Returns true when the commit index moved.
 */
export function maybeCommit (r: RaftState): boolean {
  const index = quorumIndex(r.voters(), id => r.progress.get(id)?.match ?? 0)
  if (index <= r.log.committed || r.log.term(index) !== r.term) return false
  r.commitTo(index)
  afterCommit(r)
  return true
}

function afterCommit (r: RaftState): void {
  const deferred = r.readsAwaitingCommit
  r.readsAwaitingCommit = []
  for (const read of deferred) handleReadIndex(r, read.requestId, read.from, read.lease)
  // Dissertation §4.2.2: a leader not in the new configuration leads until it is committed, then steps down.
  if (r.membership.latest().index <= r.log.committed && !isVoter(r.config(), r.id)) {
    r.logger?.debug('removed from the configuration: stepping down', { id: r.id, term: r.term })
    r.becomeFollower(r.term, undefined)
  }
}

/**
 * ReadIndex (dissertation §6.4): note the commit index, confirm leadership
 * with a heartbeat round, then answer. Deferred until the leader has
 * committed an entry of its term, before which its commit index may lag.
 */
export function handleReadIndex (r: RaftState, requestId: string, from: NodeId, lease = true): void {
  if (!r.committedInTerm()) {
    r.readsAwaitingCommit.push({ requestId, from, lease })
    return
  }
  if (lease && r.leaseReadable()) {
    // 'lease' mode: no other leader can have been elected yet (see LeaseTracker), so the commit index is current.
    answerRead(r, requestId, r.log.committed, from)
    return
  }
  r.readIndex.add(requestId, r.log.committed, from)
  releaseReads(r)
  // One heartbeat round confirms every request made before it (it carries the newest round number), so the
  // requests that arrive before the next Ready share one round (RaftCore.ready sends it) rather than each
  // broadcasting its own: with every node renewing a lease by ReadIndex, that was a heartbeat storm.
  if (r.readIndex.size > 0) r.readRoundDue = true
}

/** Leader: sends the heartbeat round the ReadIndex requests since the last Ready wait for. */
export function flushReadRound (r: RaftState): void {
  if (!r.readRoundDue) return
  r.readRoundDue = false
  if (r.role === 'leader' && r.readIndex.size > 0) bcastHeartbeat(r)
}

/** Answers the reads whose heartbeat round a quorum confirmed. */
function releaseReads (r: RaftState): void {
  const seq = r.readIndex.currentSeq
  const released = r.readIndex.release(r.voters(), id => id === r.id ? seq : r.progress.get(id)?.readSeqAcked ?? 0)
  for (const read of released) answerRead(r, read.requestId, read.index, read.from)
}

function answerRead (r: RaftState, requestId: string, index: number, from: NodeId): void {
  if (from === r.id) r.readStates.push({ requestId, index })
  else r.send({ type: 'readIndexResponse', to: from, requestId, index })
}

export function sendTimeoutNow (r: RaftState, to: NodeId): void {
  r.timeoutNowSent = true
  r.send({ type: 'timeoutNow', to })
}
