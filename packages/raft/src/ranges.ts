import { LOG_INDEXES, TERMS, counterRange, inRange, type CounterRange } from '@clusterfunk/core'
import type { Message } from './messages.js'
import type { Entry, SnapshotMetadata } from './types.js'

/**
 * The ranges of every number in a Raft message, and the one check the core
 * applies to a message before acting on it (the codec applies the same
 * ranges while decoding, so nothing out of range comes off the wire; the
 * core checks again because other transports and tests feed it directly).
 *
 * Terms and log indexes use the shared ranges of `@clusterfunk/core`. A
 * ReadIndex sequence only grows on the leader that issued it, by one per
 * round, and followers echo it: any safe integer below the maximum is fine.
 */
export const READ_SEQS: CounterRange = counterRange('read sequence', Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER - 1)

/** Why the core dropped a message instead of stepping it. */
export type DropReason =
  /** A number in it is outside its range. */
  | 'outOfRange'
  /** Its term is more than `TERMS.maxStep` ahead of this node's. */
  | 'implausibleTerm'

const term = (v: number): boolean => inRange(TERMS, v)
const index = (v: number): boolean => inRange(LOG_INDEXES, v)

function entryInRange (e: Entry): boolean {
  return index(e.index) && term(e.term)
}

function snapshotInRange (s: SnapshotMetadata): boolean {
  return index(s.index) && term(s.term)
}

/** True when every number `m` carries is inside its range. */
export function messageInRange (m: Message): boolean {
  if (!term(m.term)) return false
  switch (m.type) {
    case 'voteRequest':
    case 'preVoteRequest':
      return index(m.lastLogIndex) && term(m.lastLogTerm)
    case 'appendEntries':
      return index(m.prevLogIndex) && term(m.prevLogTerm) && index(m.commit) && m.entries.every(entryInRange)
    case 'appendEntriesResponse':
      return index(m.matchIndex) && index(m.rejectedIndex) && term(m.conflictTerm) && index(m.conflictIndex)
    case 'heartbeat':
      return index(m.commit) && inRange(READ_SEQS, m.readSeq)
    case 'heartbeatResponse':
      return inRange(READ_SEQS, m.readSeq)
    case 'installSnapshot':
      return snapshotInRange(m.snapshot)
    case 'readIndexResponse':
      return index(m.index)
    case 'voteResponse':
    case 'preVoteResponse':
    case 'timeoutNow':
    case 'readIndexRequest':
      return true
  }
}
