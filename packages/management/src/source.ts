import type { AbortOptions } from '@clusterfunk/core'
import type { AddNodeRequest, ClusterEvent, ClusterStatus, NodeEndpoint, NodeSummary, ShardSummary } from './types.js'

/**
 * What a `ManagementServer` reads from, and asks of, the node it runs on.
 * The `Cluster` facade implements it; `MemoryManagementSource` is an
 * in-memory one for tests and tools.
 *
 * Contracts:
 * - **Any node answers** `status()`, `shards()`, `endpoints()` and
 *   `events()` from its own replicated view.
 * - **Only the leader answers** `nodes()` (liveness verdicts live in the
 *   leader's checker), `addNode()`, `removeNode()` and `stepDown()`. On any
 *   other node they throw core's `NotLeaderError` carrying the leader's id
 *   and its management address (`leaderManagementAddress()`) when known,
 *   which the server uses to forward the call; without a known leader they
 *   throw `NotLeaderError` with neither.
 * - Bad arguments throw core's `InvalidArgumentError`; a node id that is not
 *   a member throws `UnknownNodeError`. Nothing else is expected; any other
 *   error reaches the caller as a generic failure.
 */
export interface ManagementSource {
  /** This node's view of the cluster. */
  status: () => Promise<ClusterStatus>
  /**
   * Every node known to Raft or SWIM, sorted by id. Leader only.
   * @throws NotLeaderError on a follower
   */
  nodes: () => Promise<NodeSummary[]>
  /** Shards per node in the committed shard map, sorted by node id. */
  shards: () => Promise<ShardSummary>
  /** Endpoints of every node, sorted by node id then name; with `filter`, only names containing it. */
  endpoints: (filter?: string) => Promise<NodeEndpoint[]>
  /**
   * Adds a node to the Raft group (a voter unless `nonVoter`); adding a
   * member again with the same suffrage does nothing. Leader only.
   * @throws NotLeaderError on a follower
   * @throws InvalidArgumentError for an empty id or an address that is not host:port
   */
  addNode: (request: AddNodeRequest, options?: AbortOptions) => Promise<void>
  /**
   * Removes a node from the Raft group and the cluster. Leader only.
   * @throws NotLeaderError on a follower
   * @throws UnknownNodeError when `id` is not a member
   * @throws InvalidArgumentError when `id` is the leader itself (step down first)
   */
  removeNode: (id: string, options?: AbortOptions) => Promise<void>
  /**
   * Hands leadership to another voter and resolves once it did. Leader only.
   * @throws NotLeaderError on a follower
   * @throws InvalidArgumentError when there is no other voter to take over
   */
  stepDown: (options?: AbortOptions) => Promise<void>
  /**
   * This node's events from now on, in order, until `signal` fires or the
   * consumer stops reading. Must buffer: a slow reader never stalls the node.
   */
  events: (options: AbortOptions) => AsyncIterable<ClusterEvent>
  /**
   * Node `nodeId` applied the shard-map proposal `version` (the AckShardMap
   * RPC). Leader only, never forwarded. Optional: a source without it
   * answers UNIMPLEMENTED.
   * @throws NotLeaderError on a follower
   * @throws InvalidArgumentError for an empty id or a version below 1
   */
  ackShardMap?: (nodeId: string, version: number) => Promise<void>
  /** The management address (`host:port`) of the leader this node knows of, if any. */
  leaderManagementAddress: () => string | undefined
}
