import type { MemberStatus, Tags } from './messages.js'

/** One member as a node sees it. Snapshots: later changes do not alter a returned `Member`. */
export interface Member {
  /** The name the member chose for itself, unique in the cluster. */
  readonly id: string
  /** Where it is reached (opaque to the core, `host:port` for the UDP driver). */
  readonly address: string
  readonly status: MemberStatus
  /** Its incarnation: only it raises this number, to refute or to announce a change. */
  readonly incarnation: number
  readonly tags: Tags
  /** The `now` at which `status` last changed. */
  readonly statusChangedAt: number
}

/** Event names, `'noun:verb'`, for changes in the view of other members. */
export type MemberEventType =
  | 'member:join' // first seen, or back after it was dead or had left
  | 'member:update' // its tags or address changed while it stayed a member
  | 'member:suspect' // it missed probes; it is dead unless it refutes in time
  | 'member:alive' // it refuted a suspicion
  | 'member:failed' // the suspicion timed out, or another member declared it dead
  | 'member:leave' // it left gracefully
  | 'member:reap' // its tombstone was forgotten: gossipToTheDeadTimeMs after it left, reconnectTimeoutMs after it failed

/** A change in membership, with the member as it is after the change. */
export interface MemberEvent {
  readonly type: MemberEventType
  readonly member: Member
}

/** The mutable record the core keeps per member. */
export interface MemberRecord {
  id: string
  address: string
  status: MemberStatus
  incarnation: number
  tags: Map<string, string>
  statusChangedAt: number
}

/** An immutable snapshot of a record. */
export function snapshot (r: MemberRecord): Member {
  return Object.freeze({ id: r.id, address: r.address, status: r.status, incarnation: r.incarnation, tags: new Map(r.tags), statusChangedAt: r.statusChangedAt })
}

/** Dead or left: a tombstone, not probed. */
export function isGone (status: MemberStatus): boolean {
  return status === 'dead' || status === 'left'
}
