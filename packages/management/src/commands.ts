import type { AbortOptions } from '@clusterfunk/core'
import type { AddNodeRequest } from './types.js'

/**
 * What the management API asks of the node it runs on. Every command is
 * the leader's: any other node throws core's `NotLeaderError` carrying the
 * leader's id and management address when known, and the server forwards
 * the call there (acks excepted). Bad arguments throw core's
 * `InvalidArgumentError`; a node id that is not a member throws
 * `UnknownNodeError`. Nothing else is expected; any other error reaches the
 * caller as a generic failure.
 */
export interface ClusterCommands {
  /**
   * Adds a node to the Raft group (a voter unless `nonVoter`); adding a
   * member again with the same suffrage does nothing.
   * @throws NotLeaderError on a follower
   * @throws InvalidArgumentError for an empty id or an address that is not host:port
   */
  addNode: (request: AddNodeRequest, options?: AbortOptions) => Promise<void>
  /**
   * Removes a node from the Raft group and the cluster.
   * @throws NotLeaderError on a follower
   * @throws UnknownNodeError when `id` is not a member
   * @throws InvalidArgumentError when `id` is the leader itself (step down first)
   */
  removeNode: (id: string, options?: AbortOptions) => Promise<void>
  /**
   * Hands leadership to another voter and resolves once it did.
   * @throws NotLeaderError on a follower
   * @throws InvalidArgumentError when there is no other voter to take over
   */
  stepDown: (options?: AbortOptions) => Promise<void>
  /**
   * Node `nodeId` applied the shard-map proposal `version` (the AckShardMap
   * RPC); never forwarded. Optional: a node without it answers UNIMPLEMENTED.
   * @throws NotLeaderError on a follower
   * @throws InvalidArgumentError for an empty id or a version below 1
   */
  ackShardMap?: (nodeId: string, version: number) => Promise<void>
}
