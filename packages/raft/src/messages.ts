import type { NodeId } from './configuration.js'
import type { Entry, SnapshotMetadata } from './types.js'

/**
 * The messages Raft nodes exchange. They mirror `proto/raft.proto`; the core
 * neither encodes nor decodes them (the transport does). Every message
 * carries the sender's term, except that pre-vote messages carry the term
 * the pre-candidate would campaign in.
 */
interface Envelope {
  readonly from: NodeId
  readonly to: NodeId
  readonly term: number
}

/** RequestVote (Raft §5.2), or the pre-vote probe when `type` is `preVoteRequest` (dissertation §9.6). */
export interface VoteRequest extends Envelope {
  readonly type: 'voteRequest' | 'preVoteRequest'
  readonly lastLogIndex: number
  readonly lastLogTerm: number
  /** Set when a leadership transfer triggered the election: voters then ignore their leader lease. */
  readonly leadershipTransfer: boolean
}

export interface VoteResponse extends Envelope {
  readonly type: 'voteResponse' | 'preVoteResponse'
  readonly granted: boolean
}

/** AppendEntries (Raft §5.3): `entries` follow `prevLogIndex`; may be empty. */
export interface AppendEntriesRequest extends Envelope {
  readonly type: 'appendEntries'
  readonly prevLogIndex: number
  readonly prevLogTerm: number
  readonly entries: readonly Entry[]
  readonly commit: number
}

/**
 * The answer to AppendEntries or InstallSnapshot. On success `matchIndex` is
 * the last index known to match the leader. On rejection `rejectedIndex` is
 * the request's `prevLogIndex`, and the hint lets the leader skip a whole
 * conflicting term: `conflictTerm` is the follower's term at
 * `rejectedIndex` (0 when its log is shorter) and `conflictIndex` the first
 * index of that term in its log (its last index + 1 when shorter).
 */
export interface AppendEntriesResponse extends Envelope {
  readonly type: 'appendEntriesResponse'
  readonly success: boolean
  readonly matchIndex: number
  readonly rejectedIndex: number
  readonly conflictTerm: number
  readonly conflictIndex: number
}

/**
 * A heartbeat: asserts leadership and carries the commit index (never past
 * what the follower is known to hold). `readSeq` is the newest ReadIndex
 * round; the response echoes it.
 */
export interface HeartbeatRequest extends Envelope {
  readonly type: 'heartbeat'
  readonly commit: number
  readonly readSeq: number
}

export interface HeartbeatResponse extends Envelope {
  readonly type: 'heartbeatResponse'
  readonly readSeq: number
}

/**
 * InstallSnapshot (Raft §7), metadata only. The core asks for a snapshot to
 * be sent; the transport streams the snapshot's bytes in chunks and steps
 * this message into the receiving core once they are all stored.
 */
export interface InstallSnapshotRequest extends Envelope {
  readonly type: 'installSnapshot'
  readonly snapshot: SnapshotMetadata
}

/** Sent by a leader transferring leadership: start an election now (dissertation §3.10). */
export interface TimeoutNowRequest extends Envelope {
  readonly type: 'timeoutNow'
}

/** A follower or non-voter asks its leader for a read index. */
export interface ReadIndexRequest extends Envelope {
  readonly type: 'readIndexRequest'
  readonly requestId: string
}

/** The leader's answer: the read is linearizable once `index` is applied. */
export interface ReadIndexResponse extends Envelope {
  readonly type: 'readIndexResponse'
  readonly requestId: string
  readonly index: number
}

/** Every message the core sends or accepts. */
export type Message =
  | VoteRequest
  | VoteResponse
  | AppendEntriesRequest
  | AppendEntriesResponse
  | HeartbeatRequest
  | HeartbeatResponse
  | InstallSnapshotRequest
  | TimeoutNowRequest
  | ReadIndexRequest
  | ReadIndexResponse

/** The `type` tags of `Message`. */
export type MessageType = Message['type']

/** A message without its envelope, as the core builds it before stamping `from` and `term`. */
export type MessageBody<T extends Message = Message> = T extends Message ? Omit<T, 'from' | 'term'> : never
