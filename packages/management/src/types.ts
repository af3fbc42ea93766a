/** A node's part in the cluster: Raft leader, voting follower, non-voting follower, or not in the Raft group. */
export type ClusterRole = 'Leader' | 'Follower' | 'NonVoter' | 'NonMember'

/** The states of a cluster node, as the `Cluster` facade reports them. */
export type ClusterState = 'Starting' | 'Joining' | 'Voting' | 'Resharding' | 'Operational' | 'Stopping' | 'Invalid'

/** A node's place in the Raft configuration. `None`: not in it. */
export type Suffrage = 'Voter' | 'NonVoter' | 'None'

/** What SWIM says of a node. `Unknown`: SWIM has not seen it. */
export type SwimStatus = 'Alive' | 'Suspect' | 'Dead' | 'Left' | 'Unknown'

/** What the leader's liveness checker says of a node. `Unknown`: not probed yet. */
export type LivenessStatus = 'Alive' | 'Dead' | 'Unknown'

/** Every role, state, suffrage and status value, for validation and help texts. */
export const CLUSTER_ROLES: readonly ClusterRole[] = ['Leader', 'Follower', 'NonVoter', 'NonMember']
export const CLUSTER_STATES: readonly ClusterState[] = ['Starting', 'Joining', 'Voting', 'Resharding', 'Operational', 'Stopping', 'Invalid']
export const SUFFRAGES: readonly Suffrage[] = ['Voter', 'NonVoter', 'None']
export const SWIM_STATUSES: readonly SwimStatus[] = ['Alive', 'Suspect', 'Dead', 'Left', 'Unknown']
export const LIVENESS_STATUSES: readonly LivenessStatus[] = ['Alive', 'Dead', 'Unknown']

/** One node's view of the cluster (GetStatus). */
export interface ClusterStatus {
  nodeId: string
  /** The leader this node knows of; undefined when it knows none. */
  leaderId?: string
  clusterName: string
  role: ClusterRole
  state: ClusterState
  /** Nodes in the Raft configuration (voters and non-voters). */
  raftMembers: number
  /** Nodes SWIM holds alive or suspect. */
  swimMembers: number
  /** Shards in the shard map. */
  shardCount: number
  /** Version of the committed shard map (0: none yet). */
  shardMapVersion: number
  /** When the cluster was created (Unix ms). */
  createdAt: number
  /** This node's current Raft term (0 or absent: no Raft state, or an older server). */
  raftTerm?: number
  /** The highest log index this node knows committed. */
  raftCommitIndex?: number
  /** The highest log index this node applied. */
  raftAppliedIndex?: number
  /** Voters in this node's Raft configuration (the rest of `raftMembers` are non-voters). */
  raftVoters?: number
  /** The node's software version, when it says. */
  version?: string
}

/** GetStatus as the client receives it: the status plus the caller's IP as the server saw it. */
export interface StatusReply extends ClusterStatus {
  callerAddress: string
}

/** An endpoint a node publishes (SWIM tag `ep.<name>`). */
export interface Endpoint {
  /** The name without the `ep.` prefix, such as `http` or `clusterfunk.management`. */
  name: string
  address: string
}

/** One node as ListNodes reports it. */
export interface NodeSummary {
  id: string
  suffrage: Suffrage
  swim: SwimStatus
  liveness: LivenessStatus
  leader: boolean
  endpoints: Endpoint[]
}

/** The shards one node owns in the committed map. */
export interface ShardShare {
  nodeId: string
  shards: number
  /** Share of all shards, 0..100. */
  percent: number
  /** Shards it holds as a replica (0 with a replication factor of 1). */
  replicas: number
}

/** ListShards: the committed shard map, per node. */
export interface ShardSummary {
  total: number
  mapVersion: number
  /** Owners a shard: a primary and `replicationFactor - 1` replicas (1..8). */
  replicationFactor: number
  nodes: ShardShare[]
}

/** One endpoint of one node (ListEndpoints, FindEndpoint). */
export interface NodeEndpoint {
  nodeId: string
  name: string
  address: string
}

/** What AddNode asks for. */
export interface AddNodeRequest {
  id: string
  /** The node's Raft address, `host:port`. */
  address: string
  /** Add it as a non-voter. Default false: a voter. */
  nonVoter?: boolean
}

/** A cluster event as WatchEvents streams it; `at` is Unix ms. */
export type ClusterEvent =
  | { type: 'state:change', at: number, state: ClusterState }
  | { type: 'role:change', at: number, role: ClusterRole }
  | { type: 'leader:change', at: number, leaderId?: string }
  | { type: 'node:join', at: number, nodeId: string }
  | { type: 'node:leave', at: number, nodeId: string }
  | { type: 'node:dead', at: number, nodeId: string }
  | { type: 'node:alive', at: number, nodeId: string }
  | { type: 'shards:change', at: number, mapVersion: number, total: number }
  | { type: 'event:user', at: number, name: string, payload: Uint8Array, ltime: number, origin: string, coalesce: boolean }

/** The name of a cluster event. */
export type ClusterEventType = ClusterEvent['type']

/** The endpoint name a node's management server is published under (SWIM tag `ep.clusterfunk.management`). */
export const MANAGEMENT_ENDPOINT = 'clusterfunk.management'
