import type { ClusterfunkError } from '@clusterfunk/core'
import type { Configuration, NodeId } from './configuration.js'
import type { ProgressView } from './progress.js'
import type { Role } from './types.js'

/** The outcome of `propose` and `proposeConfigChange`: where the entry went, or why it was refused. */
export type ProposeResult =
  | { readonly ok: true, readonly index: number, readonly term: number }
  | { readonly ok: false, readonly error: ClusterfunkError }

/** The outcome of a request that produces no index. */
export type RequestResult = { readonly ok: true } | { readonly ok: false, readonly error: ClusterfunkError }

/** A snapshot of the core's state, for drivers, metrics and tests. */
export interface RaftStatus {
  readonly id: NodeId
  readonly role: Role
  readonly term: number
  readonly vote: NodeId | undefined
  readonly leaderId: NodeId | undefined
  readonly commit: number
  readonly applied: number
  readonly lastIndex: number
  /** The newest configuration in the log, committed or not. */
  readonly configuration: Configuration
  /** The index of the entry that carried `configuration` (0 or the snapshot's when none). */
  readonly configurationIndex: number
  readonly leadTransferee: NodeId | undefined
  /** Leader, `readOnly: 'lease'`: a read now would be served from the lease, with no heartbeat round. */
  readonly leaseReadable: boolean
  /** Leader, `readOnly: 'lease'`: the tick (counted from this core's first) at which the lease ends; −Infinity when not held. */
  readonly leaseExpiresAt: number
  /** Ticks since this core was built. */
  readonly ticks: number
  /** Leader only: each member's replication progress (empty otherwise). */
  readonly progress: ReadonlyMap<NodeId, ProgressView>
}
