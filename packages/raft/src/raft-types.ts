import type { DropReason } from './ranges.js'
import type { Clock, Logger, Metrics, Random } from '@clusterfunk/core'
import type { Configuration, NodeId } from './configuration.js'
import type { Fsm } from './fsm.js'
import type { LogStore, StableStore } from './log-store.js'
import type { ProgressView } from './progress.js'
import type { SnapshotStore } from './snapshot-store.js'
import type { RaftTransport } from './transport.js'
import type { Role } from './types.js'

/** What a `Raft` node needs from outside. */
export interface RaftComponents<Result = unknown> {
  transport: RaftTransport
  logStore: LogStore
  stableStore: StableStore
  snapshotStore: SnapshotStore
  fsm: Fsm<Result>
  clock?: Clock
  random?: Random
  logger?: Logger
  metrics?: Metrics
}

/** The typed events of a `Raft` node. */
export interface RaftEvents extends Record<string, unknown> {
  /** This node's role changed. */
  'role:change': { role: Role, term: number }
  /** The leader this node knows changed (undefined: none known). */
  'leader:change': { leaderId: NodeId | undefined, address: string | undefined, term: number }
  /** The configuration changed (it takes effect when appended, dissertation §4.1). */
  'peer:change': { configuration: Configuration, index: number }
  /** Leader: a member has not answered for an election timeout. */
  'heartbeat:failed': { nodeId: NodeId, lastContactMs: number }
  /** Leader: a member that had failed answers again. */
  'heartbeat:resumed': { nodeId: NodeId }
}

/** Options of the calls that wait for the log. */
export interface RequestOptions {
  signal?: AbortSignal
  /** Default: the node's `requestTimeoutMs`. */
  timeoutMs?: number
}

/** Options of the membership calls. */
export interface MembershipOptions extends RequestOptions {
  /**
   * The index of the configuration this change is based on (as
   * `peer:change` or `stats().configurationIndex` reported it). When the
   * newest configuration in the log is another one, the call fails at once
   * with `ConfigurationChangedError` (hashicorp/raft's prevIndex).
   */
  prevIndex?: number
}

export interface ReadOptions extends RequestOptions {
  /**
   * With `readOnly: 'lease'`: false asks for a ReadIndex round even when
   * the leader's lease holds. Ignored in `'safe'` mode. Default true.
   */
  lease?: boolean
}

/** What `stats()` reports. */
export interface RaftStats {
  readonly id: NodeId
  readonly address: string
  readonly role: Role
  readonly term: number
  readonly leaderId: NodeId | undefined
  readonly commitIndex: number
  readonly appliedIndex: number
  readonly lastIndex: number
  readonly firstIndex: number
  readonly snapshotIndex: number
  readonly configuration: Configuration
  /** The index of the entry that carried `configuration` (a membership call's `prevIndex`). */
  readonly configurationIndex: number
  /** Leader only: replication progress of every member. */
  readonly progress: ReadonlyMap<NodeId, ProgressView>
  /** Proposals waiting to be applied. */
  readonly pendingProposals: number
  /** Leader only: milliseconds since each member last answered. */
  readonly lastContactMs: ReadonlyMap<NodeId, number>
  /** Messages the core dropped, by reason: a number out of range, or a term more than `TERMS.maxStep` ahead. */
  readonly droppedMessages: Readonly<Record<DropReason, number>>
}
