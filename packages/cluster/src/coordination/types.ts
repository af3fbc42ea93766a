import type { LockCommand } from './lock-table.js'

/** A write to the shared state, as the log carries it. */
export type StateCommand =
  | { type: 'state-put', key: string, value: Uint8Array, expected?: number }
  | { type: 'state-delete', key: string, expected?: number }

/** What one coordination entry asks of the replicas. */
export type CoordinationOp = StateCommand | LockCommand

/** A coordination entry of the Raft log: an operation, the leader's time, and who waits for its outcome. */
export interface CoordinationCommand {
  /** The caller on the leader waiting for the outcome ('' for none). */
  requestId: string
  /** The leader's wall clock when it appended the entry (Unix ms). */
  atMs: number
  op: CoordinationOp
}
