// Raft: the pure protocol core (RaftCore), the Raft driver over a transport and stores, and
// the real adapters (gRPC transport, LevelDB log store, file snapshot store).
// The simulator adapters are behind '@clusterfunk/raft/sim'; the main entry never loads @clusterfunk/sim.

// The driver and its options, events and stats.
export { Raft } from './raft.js'
export { RAFT_PRESETS, resolveRaftInit, type RaftInit, type RaftPreset, type ResolvedRaftInit } from './raft-options.js'
export type { RaftComponents, RaftEvents, RaftStats, ReadOptions, RequestOptions } from './raft-types.js'
export type { ProposeResult, RaftStatus, RequestResult } from './status.js'
export { ConfigChangeInProgressError, LeadershipTransferInProgressError, TermOutOfRangeError } from './errors.js'

// Cluster membership.
export {
  EMPTY_CONFIGURATION, applyConfigChange, isNonVoter, isVoter, memberAddress, memberIds, voterIds,
  type ConfigChange, type Configuration, type Member, type NodeId
} from './configuration.js'

// The pure protocol core: step messages in, take a Ready out.
export { RaftCore } from './raft-core.js'
export {
  DEFAULT_ELECTION_TICKS, DEFAULT_HEARTBEAT_TICKS, DEFAULT_MAX_BYTES_PER_MSG, DEFAULT_MAX_COMMITTED_BYTES_PER_READY,
  DEFAULT_MAX_ENTRIES_PER_MSG, DEFAULT_MAX_INFLIGHT, DEFAULT_READ_ONLY, DEFAULT_TICK_MS, LEASE_DRIFT
} from './constants.js'
export { leaseTicksFor, resolveOptions, type RaftCoreOptions, type ReadOnlyMode, type ResolvedOptions } from './options.js'
export { isEmptyReady, type Ready } from './ready.js'
export {
  entrySize, limitSize, type Entry, type EntryType, type HardState, type ReadState, type Role, type SnapshotMetadata, type SoftState
} from './types.js'
export type {
  AppendEntriesRequest, AppendEntriesResponse, HeartbeatRequest, HeartbeatResponse, InstallSnapshotRequest, Message, MessageBody,
  MessageType, ReadIndexRequest, ReadIndexResponse, TimeoutNowRequest, VoteRequest, VoteResponse
} from './messages.js'
export type { ProgressState, ProgressView } from './progress.js'
export { hasQuorum, quorumIndex, voteResult, type VoteResult } from './quorum.js'
export type { InitialState, Storage } from './storage.js'
export { MemoryStorage, type StoredSnapshot } from './memory-storage.js'

// The wire: message encoding, checked ranges, checksums.
export {
  PROTOCOL_VERSION, decodeEntry, decodeHardState, decodeMessage, decodeSnapshotChunk, decodeSnapshotMetadata,
  encodeEntry, encodeHardState, encodeMessage, encodeSnapshotChunk, encodeSnapshotMetadata, messageFromWire, messageToWire,
  type SnapshotChunk
} from './codec.js'
export { READ_SEQS, messageInRange, type DropReason } from './ranges.js'
export { crc32 } from './checksum.js'

// The state machine and storage the driver takes.
export { readAll, type Fsm } from './fsm.js'
export { checkAppend, type LogStore, type StableStore, type WriteOptions } from './log-store.js'
export { MemoryLogStore } from './memory-log-store.js'
export { CorruptStoreError, LevelStore } from './level-store.js'
export { LogCache } from './log-cache.js'
export {
  CorruptSnapshotError, MemorySnapshotStore, snapshotId, type SnapshotInfo, type SnapshotSink, type SnapshotStore
} from './snapshot-store.js'
export { FileSnapshotStore } from './file-snapshot-store.js'

// Transports: the interface, an in-memory one and gRPC.
export type { RaftTransport, TransportHandler } from './transport.js'
export { MemoryNetwork, MemoryTransport } from './memory-transport.js'
export {
  GrpcTransport, type GrpcCallLimits, type GrpcTlsInit, type GrpcTransportComponents, type GrpcTransportInit, type RejectReason
} from './grpc-transport.js'
// The call proof and message seal, for tools that speak the transport's format (the hostile-input suite).
export { RaftAuth, AUTH_KEY, ADDRESS_KEY, TRAILER_BYTES, type CallContext } from './raft-auth.js'
