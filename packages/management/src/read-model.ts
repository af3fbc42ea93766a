import type { AbortOptions } from '@clusterfunk/core'
import type { ClusterEvent, ClusterStatus, NodeEndpoint, NodeSummary, ShardSummary } from './types.js'

/**
 * What the management API reads of the node it runs on, and nothing it
 * could change: the node's status, the members, the shard map, the
 * endpoints and the event stream. A `Cluster` node implements it over its
 * own replicated view; `MemoryCluster` (testing) over a cluster in memory.
 *
 * Contracts:
 * - **Any node answers** `status()`, `shards()`, `endpoints()` and
 *   `events()` from its own replicated view.
 * - **Only the leader answers** `nodes()` (liveness verdicts live in the
 *   leader's checker); any other node throws core's `NotLeaderError`
 *   carrying the leader's id and its management address
 *   (`leaderManagementAddress()`) when known, which the server uses to
 *   forward the call; without a known leader, neither.
 */
export interface ClusterReadModel {
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
   * This node's events from now on, in order, until `signal` fires or the
   * consumer stops reading. Must buffer: a slow reader never stalls the node.
   */
  events: (options: AbortOptions) => AsyncIterable<ClusterEvent>
  /** The management address (`host:port`) of the leader this node knows of, if any. */
  leaderManagementAddress: () => string | undefined
}
