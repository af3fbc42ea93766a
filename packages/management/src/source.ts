import type { ClusterCommands } from './commands.js'
import type { CoordinationSource } from './coordination.js'
import type { MessagingCommands } from './messaging.js'
import type { ClusterReadModel } from './read-model.js'

/**
 * Everything a `ManagementServer` serves from: the node's read model and
 * its commands, one object or two joined with `managementSource`.
 */
export type ManagementSource = ClusterReadModel & ClusterCommands & MessagingCommands & {
  /** Shared state and locks; a node without them answers their calls UNIMPLEMENTED. */
  coordination?: CoordinationSource
}

/**
 * Joins a read model and a commands object into what a `ManagementServer`
 * takes. Neither is copied: each call goes to its owner.
 */
export function managementSource (read: ClusterReadModel, commands: ClusterCommands, coordination?: CoordinationSource): ManagementSource {
  // Bound, not wrapped: each call returns its owner's own promise.
  return {
    status: read.status.bind(read),
    nodes: read.nodes.bind(read),
    shards: read.shards.bind(read),
    endpoints: read.endpoints.bind(read),
    events: read.events.bind(read),
    leaderManagementAddress: read.leaderManagementAddress.bind(read),
    addNode: commands.addNode.bind(commands),
    removeNode: commands.removeNode.bind(commands),
    stepDown: commands.stepDown.bind(commands),
    ...(commands.ackShardMap === undefined ? {} : { ackShardMap: commands.ackShardMap.bind(commands) }),
    ...(coordination === undefined ? {} : { coordination })
  }
}
