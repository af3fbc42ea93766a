import type { Message } from './messages.js'
import type { Entry, HardState, ReadState, SnapshotMetadata, SoftState } from './types.js'

/**
 * Everything the core wants done, handed out by `RaftCore.ready()`. The
 * driver must handle it in this order, then call `advance()`:
 *
 * 1. Persist `snapshot` (with the bytes the transport received), then
 *    `entries` (replacing any stored entries at or after the first one's
 *    index), then `hardState` — durably (fsync) before step 2.
 * 2. Send `messages`. They may depend on step 1 (a vote, an ack of
 *    entries), so never before it. Delivery is best effort: Raft retries.
 *    An `installSnapshot` message asks the transport to stream the newest
 *    snapshot of this node's storage to `to`; report the outcome with
 *    `reportSnapshot`.
 * 3. Restore the state machine from `snapshot` if present, then apply
 *    `committedEntries` in order. Each committed entry is handed out exactly
 *    once, in index order, across all Ready values.
 * 4. Serve `readStates` once the state machine has applied their index.
 */
export interface Ready {
  /** Role and leader, present when they changed since the last Ready. */
  readonly softState?: SoftState
  /** Present when it changed since the last Ready; persist before sending. */
  readonly hardState?: HardState
  /** Log entries to persist before sending `messages`. */
  readonly entries: readonly Entry[]
  /** A snapshot received from the leader, to persist and restore. */
  readonly snapshot?: SnapshotMetadata
  /** Messages to send after persisting. */
  readonly messages: readonly Message[]
  /** Entries to apply to the state machine, in order. */
  readonly committedEntries: readonly Entry[]
  /** Confirmed linearizable reads. */
  readonly readStates: readonly ReadState[]
}

/** True when a Ready carries nothing to do. */
export function isEmptyReady (rd: Ready): boolean {
  return rd.softState === undefined && rd.hardState === undefined && rd.entries.length === 0 &&
    rd.snapshot === undefined && rd.messages.length === 0 && rd.committedEntries.length === 0 && rd.readStates.length === 0
}

