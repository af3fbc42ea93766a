export * from './zeroconf/constants.js'
export * from './zeroconf/errors.js'
export * from './zeroconf/events.js'
export * from './zeroconf/memory-network.js'
export * from './zeroconf/init.js'
export * from './zeroconf/zeroconf.js'
export * from './zeroconf/discover.js'
export * from './metrics/errors.js'
export * from './metrics/prom-metrics.js'
export * from './metrics/server.js'
export * from './metrics/cluster-metrics.js'
export * from './coordinator/index.js'
// The management API moved to @clusterfunk/management (funkctl installs it without the node);
// re-exported so code that imported it from here keeps compiling.
export {
  CLUSTER_ROLES, CLUSTER_STATES, LIVENESS_STATUSES, MANAGEMENT_ENDPOINT, SUFFRAGES, SWIM_STATUSES,
  type AddNodeRequest, type ClusterEvent, type ClusterEventType, type ClusterRole, type ClusterState, type ClusterStatus,
  type Endpoint, type LivenessStatus, type NodeEndpoint, type NodeSummary, type ShardShare, type ShardSummary,
  type StatusReply, type Suffrage, type SwimStatus,
  type ManagementSource,
  MANAGEMENT_FORMAT_VERSION, MANAGEMENT_PACKAGE,
  ERROR_KEY, LEADER_ADDRESS_KEY, LEADER_ID_KEY, NODE_ID_KEY, UnsupportedFormatError, type ErrorReason,
  ManagementError, UnauthenticatedError, UnavailableError, UnknownNodeError,
  ManagementClient, type CallOptionsInit, type ManagementClientInit, type ManagementClientTls,
  DEFAULT_CONNECTION_LIMITS, ManagementServer,
  type ManagementAddress, type ManagementConnectionLimits, type ManagementServerComponents, type ManagementServerInit, type ManagementServerTls,
  joinHostPort, parseHostPort,
  CLUSTER_NAME_PATTERN, KIND_PATTERN, NODE_ID_PATTERN, checkClusterName, checkKind, checkNodeId, instanceName, parseInstanceName, type InstanceParts,
  decodePorts, decodeTxt, encodePorts, encodeTxt, isPort, type RecordInfo, type TxtRejection, type TxtResult,
  judgeRecord, peerChanged, type BrowsedRecord, type Verdict,
  type MdnsSocket
} from '@clusterfunk/management'
export {
  MemoryCluster, type MemoryClusterInit, type MemoryNodeInit, serveMemoryCluster, type MemoryClusterServers, MemoryManagementSource
} from '@clusterfunk/management/testing'
export * from './cluster/index.js'
