// The management API of a clusterfunk node, what funkctl needs and nothing of the node itself.
// Test aids (MemoryCluster and friends) are behind '@clusterfunk/management/testing'.

// The data the API speaks of.
export {
  CLUSTER_ROLES, CLUSTER_STATES, LIVENESS_STATUSES, MANAGEMENT_ENDPOINT, SUFFRAGES, SWIM_STATUSES,
  type AddNodeRequest, type ClusterEvent, type ClusterEventType, type ClusterRole, type ClusterState, type ClusterStatus,
  type Endpoint, type LivenessStatus, type NodeEndpoint, type NodeSummary, type ShardShare, type ShardSummary,
  type StatusReply, type Suffrage, type SwimStatus
} from './types.js'
export type { ClusterReadModel } from './read-model.js'
export type { ClusterCommands } from './commands.js'
export { managementSource, type ManagementSource } from './source.js'
export type {
  CoordinationSource, LockInfo, LockReply, LockRequest, StateChange, StateRecord, StateWriteReply, StateWriteRequest
} from './coordination.js'
export {
  HandlerFailedError, HandlersBusyError, MAX_REQUEST_PAYLOAD_BYTES, MAX_TOPIC_BYTES, NoHandlerError, RequestTooLargeError, checkPayload, checkTopic,
  type IncomingRequest, type MemberInfoEntry, type MessagingCommands, type QueryReplyItem, type QueryRequestInit
} from './messaging.js'

// The wire: format version and package of proto/management.proto, error trailers.
export { MANAGEMENT_FORMAT_VERSION, MANAGEMENT_PACKAGE } from './proto.js'
export { ERROR_KEY, LEADER_ADDRESS_KEY, LEADER_ID_KEY, NODE_ID_KEY, UnsupportedFormatError, type ErrorReason } from './status.js'
export { ManagementError, MembershipConflictError, UnauthenticatedError, UnavailableError, UnknownNodeError } from './errors.js'
export { SlowConsumerError, type WatchLimits } from './watch.js'
export { DEFAULT_CONNECTION_LIMITS, DEFAULT_WATCH_LIMITS, MANAGEMENT_DEFAULTS } from './constants.js'

// Client and server.
export { ManagementClient, type CallOptionsInit, type ManagementClientInit, type ManagementClientTls } from './client.js'
export {
  ManagementServer,
  type ManagementAddress, type ManagementConnectionLimits, type ManagementServerComponents, type ManagementServerInit, type ManagementServerTls,
  type ResolvedManagementServerInit
} from './server.js'
export { resolveServerInit } from './server-init.js'
export { joinHostPort, parseHostPort } from './auth.js'

// What a node uses to call its leader: pooled clients, the peer proof key, the node id rule.
export { ClientPool, type ClientPoolInit } from './client-pool.js'
export { peerProofKey } from './peer-proof.js'
export { NODE_ID_RULE, isValidNodeId } from './node-ids.js'

// Zeroconf: the record format every node publishes, and the browse funkctl finds a cluster with.
export {
  DEFAULT_DISCOVER_MS, DOMAIN, MAX_INSTANCE_BYTES, MAX_TXT_STRING_BYTES, MDNS_PORT, SERVICE_NAME, SERVICE_PROTOCOL, SERVICE_TYPE, TXT_FORMAT_VERSION
} from './zeroconf/constants.js'
export {
  CLUSTER_NAME_PATTERN, KIND_PATTERN, NODE_ID_PATTERN, checkClusterName, checkKind, checkNodeId, instanceName, parseInstanceName, type InstanceParts
} from './zeroconf/naming.js'
export { decodePorts, decodeTxt, encodePorts, encodeTxt, isPort, type RecordInfo, type TxtRejection, type TxtResult } from './zeroconf/txt.js'
export { judgeRecord, peerChanged, type BrowsedRecord, type IgnoreReason, type Verdict, type ZeroconfPeer } from './zeroconf/peer.js'
export type { MdnsSocket } from './zeroconf/socket.js'
export { MAX_BROWSED_RECORDS, browsePeers, type BrowseComponents, type BrowseInit, type BrowseOptions } from './zeroconf/browse.js'
