import type { NodeId } from './configuration.js'
import type { Progress } from './progress.js'
import type { Entry } from './types.js'
import type { RaftState } from './raft-state.js'

/**
 * Leader: sends the follower the entries it lacks from `next` on (at most
 * `maxEntriesPerMsg` entries and `maxBytesPerMsg` bytes), or asks for a
 * snapshot when they are compacted. With `sendIfEmpty` false nothing is sent
 * when there are no new entries. Returns true when a message was sent.
 */
export function sendAppend (r: RaftState, to: NodeId, sendIfEmpty = true): boolean {
  const pr = r.progress.get(to)
  if (pr === undefined || to === r.id || pr.isPaused()) return false
  const prevLogIndex = pr.next - 1
  const prevLogTerm = r.log.term(prevLogIndex)
  const entries = prevLogTerm === undefined
    ? undefined
    : r.log.slice(pr.next, pr.next + r.opts.maxEntriesPerMsg, r.opts.maxBytesPerMsg)
  if (prevLogTerm === undefined || entries === undefined) return sendSnapshot(r, to, pr)
  if (entries.length === 0 && !sendIfEmpty) return false
  r.send({ type: 'appendEntries', to, prevLogIndex, prevLogTerm, entries, commit: r.log.committed })
  pr.commitSent = Math.max(pr.commitSent, r.log.committed)
  if (pr.state === 'replicate') {
    if (entries.length > 0) {
      const last = (entries[entries.length - 1] as Entry).index
      pr.next = last + 1
      pr.inflights.add(last)
    }
  } else {
    pr.probeSent = true
    pr.probeSentTick = r.leaderTicks
  }
  return true
}

/** Sends appends to `to` until the window is full or nothing is left to send. */
export function sendAppendsWhileAllowed (r: RaftState, to: NodeId): void {
  let budget = r.opts.maxInflight + 1
  while (budget-- > 0 && sendAppend(r, to, false));
}

/**
 * The follower needs entries that are compacted: switch it to the snapshot
 * state and ask the driver (through an `installSnapshot` message) to stream
 * the newest snapshot. A follower not heard from recently is skipped.
 */
function sendSnapshot (r: RaftState, to: NodeId, pr: Progress): boolean {
  if (!pr.recentActive) return false
  const snapshot = r.log.storage.snapshotMetadata()
  pr.becomeSnapshot(snapshot.index)
  r.send({ type: 'installSnapshot', to, snapshot })
  return true
}

/** Sends every follower what it lacks (or an empty append carrying the commit index). */
export function bcastAppend (r: RaftState): void {
  for (const id of r.progress.keys()) {
    if (id === r.id) continue
    if (sendAppend(r, id, true)) sendAppendsWhileAllowed(r, id)
  }
}

/** Heartbeats to every follower, with the commit index each may apply and the newest ReadIndex round. */
export function bcastHeartbeat (r: RaftState): void {
  // Every broadcast is a round of its own, so the lease can tell when the round a quorum answered was sent.
  const seq = r.readIndex.nextRound()
  r.lease.sent(seq, r.ticks)
  for (const [id, pr] of r.progress) {
    if (id === r.id) continue
    const commit = Math.min(pr.match, r.log.committed)
    r.send({ type: 'heartbeat', to: id, commit, readSeq: seq })
    pr.commitSent = Math.max(pr.commitSent, commit)
  }
  // A group where this node alone is a quorum confirms the round at once.
  ackedRounds(r)
}

/** Heartbeat answers moved (or a round went out): extend the lease to the newest round a quorum answered. */
export function ackedRounds (r: RaftState): void {
  if (r.opts.readOnly !== 'lease') return
  const seq = r.readIndex.currentSeq
  r.lease.acked(r.voters(), id => id === r.id ? seq : r.progress.get(id)?.readSeqAcked ?? 0)
}

/**
 * The followers that have not been told the current commit index and can
 * be sent an append now. A commit does not go out on its own at once (see
 * `RaftCore.flushCommit`): the next append usually carries it.
 */
function* commitLaggards (r: RaftState): Generator<NodeId> {
  for (const [id, pr] of r.progress) {
    if (id !== r.id && pr.commitSent < r.log.committed && !pr.isPaused()) yield id
  }
}

/** True when some follower is owed the commit index and nothing else will carry it. */
export function commitFlushDue (r: RaftState): boolean {
  return r.role === 'leader' && !commitLaggards(r).next().done
}

/** Sends each follower owed the commit index an append carrying it (with any entries it lacks). */
export function flushCommit (r: RaftState): void {
  if (r.role !== 'leader') return
  for (const id of [...commitLaggards(r)]) sendAppend(r, id, true)
}
