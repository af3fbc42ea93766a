// A clusterfunk node: the Cluster facade over SWIM, Raft, liveness and the shard coordinator,
// with zeroconf discovery, Prometheus metrics and the management API.
// Whole simulated nodes are behind '@clusterfunk/cluster/sim'; test aids behind '@clusterfunk/cluster/testing'.

// The Cluster: create one, its options, security, events and what it reports.
export { Cluster, createCluster } from './cluster/facade.js'
export { resolveClusterInit, type ClusterInit, type ResolvedClusterInit } from './cluster/options.js'
export {
  generateGossipKey, managementClientTls, managementServerTls, raftTls, resolveGossipKeys, resolveTls,
  type ClusterTlsInit, type KeyInput, type PemInput, type ResolvedClusterTls
} from './cluster/security.js'
export { ShardView, type ClusterEvents, type ClusterNode } from './cluster/types.js'
export { NODE_ID_FILE } from './cluster/node-id.js'
export { TAG_LIVENESS, TAG_MANAGEMENT, TAG_RAFT, TAG_RAFT_MEMBER, TAG_SWIM } from './cluster/tags.js'
export { CLUSTER_DEFAULTS, CLUSTER_TIMINGS, type ClusterTiming } from './cluster/constants.js'
export { whenOperational, type StateSource, type WhenOperationalOptions } from './cluster/operational.js'
export { startPart, type ListeningPart } from './cluster/start-part.js'
export { logLifecycle } from './cluster/lifecycle-log.js'

// The control loop's pure decisions: one step from a view, who bootstraps, which membership change comes next.
export {
  INITIAL_STATE, coordinatorLeads, decide, retire, settle, type ClusterPhase, type DecideState, type Decision
} from './cluster/decide.js'
export type { ClusterView, DecideOptions, LivenessFact, SwimFact } from './cluster/view.js'
export type { ClusterAction, ClusterOutcome } from './cluster/actions.js'
export { IDLE_DUTIES, leaderDuties, type DutiesState } from './cluster/duties.js'
export { bootstrapDecision, type BootstrapCandidate } from './cluster/bootstrap.js'
export {
  nextMembershipChange, type MemberView, type MembershipChange, type MembershipInput
} from './cluster/membership.js'

// The management API's view of a node: its read model and its commands.
export { NodeReadModel, type NodeEvent, type NodeReadModelInit, type ReadableNode } from './cluster/read-model.js'
export { NodeCommands, type CommandTarget, type RunningNode } from './cluster/commands.js'

// The parts a node is assembled from (real ones here; simulated ones in ./sim).
export type { ClusterComponents } from './cluster/facade.js'
export { realParts, type PartsFactory } from './cluster/parts-factory.js'
export type { ClusterParts, PartsDeps } from './cluster/parts.js'
export type { AckPart, CheckerPart, EndpointPart, ManagementPart, StorePart, SwimPart } from './cluster/part-types.js'

// Coordination: member info, requests between members, user events and queries.
export { MESSAGING_DEFAULTS } from './coordination/messaging-constants.js'
export { MemberInfoTooLargeError, infoFromTags, infoTags, type MemberInfo } from './coordination/member-info.js'
export { EventCoalescer, type FireOptions, type UserEvent } from './coordination/events.js'
export { QueryReplies, TooManyQueriesError, type QueryContext, type QueryHandler, type QueryOptions, type QueryReply } from './coordination/queries.js'
export { Requests, type RequestContext, type RequestHandler, type RequestOptions, type RequestsInit } from './coordination/requests.js'
export { ClusterMessaging, type MessagingCounters, type MessagingInit } from './coordination/messaging.js'
export {
  HandlerFailedError, HandlersBusyError, MAX_REQUEST_PAYLOAD_BYTES, NoHandlerError, RequestTooLargeError
} from '@clusterfunk/management'
export { PayloadTooLargeError } from '@clusterfunk/swim'

// The shard coordinator: the replicated state machine that owns the shard map.
export { ShardCoordinator } from './coordinator/coordinator.js'
export type {
  ClusterCommand, CoordinatorCounters, CoordinatorInit, CoordinatorOutput, CoordinatorState, ShardsChange
} from './coordinator/types.js'
export {
  decodeAck, decodeCommand, decodeCoordinatorSnapshot, encodeAck, encodeCommand, encodeCoordinatorSnapshot, type CoordinatorSnapshot
} from './coordinator/codec.js'

// Zeroconf: publishing this node and discovering peers over mDNS.
export {
  DEFAULT_DISCOVER_MS, DEFAULT_PROTOCOL_VERSION, DEFAULT_PUBLISH_TIMEOUT_MS, DEFAULT_QUERY_INTERVAL_MS, DOMAIN, MAX_INSTANCE_BYTES,
  MAX_TXT_STRING_BYTES, MDNS_PORT, SERVICE_NAME, SERVICE_PROTOCOL, SERVICE_TYPE, TXT_FORMAT_VERSION
} from './zeroconf/constants.js'
export { ZeroconfConflictError } from './zeroconf/errors.js'
export type { IgnoreReason, ZeroconfEventType, ZeroconfEvents, ZeroconfPeer, ZeroconfStats } from './zeroconf/events.js'
export { defaultHost, resolveZeroconfInit, type ResolvedZeroconfInit, type ZeroconfInit } from './zeroconf/init.js'
export { Zeroconf, type DiscoverOptions, type ZeroconfComponents } from './zeroconf/zeroconf.js'
export { discoverPeers } from './zeroconf/discover.js'

// Metrics: prom-client behind core's Metrics, the scrape server, and the cluster's own gauges.
export { MetricConflictError } from './metrics/errors.js'
export { PromMetrics, type PromMetricsInit } from './metrics/prom-metrics.js'
export { MetricsServer, type MetricsAddress, type MetricsServerComponents, type MetricsServerInit } from './metrics/server.js'
export { ClusterMetrics, type ClusterMetricsInit, type WatchedChecker } from './metrics/cluster-metrics.js'
export { HEALTH_BODY, readinessBody, type Readiness, type ReadinessProbe } from './metrics/health.js'
export { STATUS_PAGE_DEFAULTS, StatusPage, type StatusPageInit } from './metrics/status-page.js'
export type { MapVersion, StatusEvent, StatusMember, StatusPageSource, StatusSnapshot } from './metrics/status-types.js'
export { ClusterStatusSource, STATUS_HISTORY, type StatusNode } from './cluster/status-source.js'

// The management API moved to @clusterfunk/management (funkctl installs it without the node);
// re-exported so code that imported it from here keeps compiling.
export {
  CLUSTER_ROLES, CLUSTER_STATES, LIVENESS_STATUSES, MANAGEMENT_ENDPOINT, SUFFRAGES, SWIM_STATUSES,
  type AddNodeRequest, type ClusterEvent, type ClusterEventType, type ClusterRole, type ClusterState, type ClusterStatus,
  type Endpoint, type LivenessStatus, type NodeEndpoint, type NodeSummary, type ShardShare, type ShardSummary,
  type StatusReply, type Suffrage, type SwimStatus,
  type ClusterCommands, type ClusterReadModel, type ManagementSource, managementSource,
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

// Shared state and named locks: pure replicated cores, their codec, and the node's API over them.
export { COORDINATION_DEFAULTS } from './coordination/constants.js'
export {
  CompactedError, CoordinationLimitError, LockBusyError, LockLostError, RevisionMismatchError, WatchOverflowError
} from './coordination/errors.js'
export { StateStore, checkWrite, type StateEntry, type StateEvent, type StateLimits, type StateSnapshot, type WriteOutcome } from './coordination/state-store.js'
export {
  LockTable, type LockCommand, type LockEntry, type LockGrant, type LockHolder, type LockLimits, type LockLoss, type LockOutcome, type LockStep, type LockWaiter
} from './coordination/lock-table.js'
export type { CoordinationCommand, CoordinationOp, StateCommand } from './coordination/types.js'
export {
  NODE_SNAPSHOT_FORMAT, decodeCoordinationCommand, decodeCoordinationSnapshot, decodeNodeSnapshot, encodeCoordinationCommand,
  encodeCoordinationSnapshot, encodeNodeSnapshot, type CoordinationSnapshot, type NodeSnapshotParts
} from './coordination/codec.js'
export { CoordinationReplica, type CoordinationResult, type ReplicaListener } from './coordination/replica.js'
export { SharedState, type StateReadOptions, type StateWriteOptions } from './coordination/state.js'
export { ClusterLocks, type AcquireOptions, type Lease } from './coordination/locks.js'
export type { WatchOptions } from './coordination/watch.js'
export type { ProposeOptions } from './coordination/node.js'
