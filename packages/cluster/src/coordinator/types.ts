import type { ShardMap } from '@clusterfunk/sharding'

/**
 * What the cluster's Raft log carries for the shard map: a proposal of a
 * new map under a new version, then its commit once every node in it
 * acknowledged the proposal.
 */
export type ClusterCommand =
  | { type: 'propose', version: number, map: ShardMap }
  | { type: 'commit', version: number }

/**
 * The part of a node's state the coordinator decides:
 * - `Operational`: holds the latest committed map and no proposal is open;
 *   it serves the shards the map gives it.
 * - `Resharding`: a proposal is open; the node serves nothing until the
 *   commit, so no shard has two serving owners while the map changes.
 * - `Voting`: the node has no contact with a leader (an election, or it is
 *   cut off); it serves nothing until contact is back.
 * - `Joining`: no map has been committed yet (or none including this node).
 */
export type CoordinatorState = 'Joining' | 'Voting' | 'Resharding' | 'Operational'

export interface CoordinatorInit {
  /** This node's id. */
  nodeId: string
  /** Shards in every map. Default 10 000. */
  shardCount?: number
  /** Owners a shard: a primary and R − 1 replicas, 1..8. Default 1. */
  replicationFactor?: number
  /** How long the leader waits for every node's ack of a proposal. Default 500 ms. */
  ackTimeoutMs?: number
  /**
   * How long a node goes on serving after it last confirmed contact with the
   * leader (its lease, anchored when it asked). A map that leaves out nodes
   * of the committed map is committed only once each of them acked it or
   * this long after the leader applied it. Default 0: nodes stop serving
   * the moment they lose contact (a model, not a network).
   */
  leaseMs?: number
}

/**
 * What this node serves differently from the map it served before: the
 * shards it gained and lost as primary, and as replica. Reported for the
 * first committed map a node serves after it starts (compared with
 * nothing), then for each committed map it serves after that (compared
 * with the one before it served), and once for a committed map that
 * leaves it out (everything lost). Maps a node only catches up through
 * (replaying its log after a restart, or while it was cut off) are not
 * reported one by one.
 */
export interface ShardsChange {
  version: number
  /** Shards this node became the primary of, ascending. */
  gained: number[]
  /** Shards this node is no longer the primary of, ascending. */
  lost: number[]
  /** Shards this node became a replica of, ascending. */
  replicaGained: number[]
  /** Shards this node is no longer a replica of, ascending. */
  replicaLost: number[]
}

/** Something the coordinator asks its driver to do or to tell; drained with `drain()`. */
export interface CoordinatorOutput {
  /** Commands to append to the Raft log, in order (only while leader). */
  append: ClusterCommand[]
  /** Acks this node owes the leader: send each to the current leader, retrying until acked or superseded. */
  acks: number[]
  /** True when the leader concluded it should step down (it heard no ack at all, not even its own). */
  stepDown: boolean
  /**
   * Nodes the leader just left out for not acking in time. They may be
   * alive but unable to reach the leader (their membership view lacks it):
   * the driver can push its own view to them before they are tried again.
   */
  missed: string[]
  /** State changes, in order. */
  states: CoordinatorState[]
  /** Committed maps this node started serving (see {@link ShardsChange}). */
  shards: ShardsChange[]
  /** Versions whose commit this node applied, in order, whether or not it serves them. */
  commits: number[]
  /** When `tick` must next be called (Infinity: no timer needed). */
  nextTickAt: number
}

/** Counters that tests and metrics read. */
export interface CoordinatorCounters {
  proposals: number
  commits: number
  /** Acks for a version no round is waiting for (late, duplicate, or from an old leadership). */
  staleAcks: number
  /** Proposals whose version is not above every version applied before (cannot happen in a well-formed log). */
  staleProposals: number
  /** Proposals not made because the map version reached the end of its range (MAP_VERSIONS). */
  versionsExhausted: number
  /** Commits that named a version other than the open proposal (log replays after a superseded round). */
  staleCommits: number
  /** Rounds that ended with nodes left out for not acking in time. */
  ackTimeouts: number
}
