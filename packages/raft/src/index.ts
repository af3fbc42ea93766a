// Raft: the pure protocol core (RaftCore), the Raft driver over a transport and stores, the
// in-memory stores and the file snapshot store.
// Behind subpaths, so that the main entry loads none of them: '@clusterfunk/raft/level' (classic-level),
// '@clusterfunk/raft/grpc' (@grpc/*), '@clusterfunk/raft/sim' (@clusterfunk/sim), '@clusterfunk/raft/testing'.

// The driver and its options, events and stats.
export { Raft } from './raft.js'
export { RAFT_PRESETS, resolveRaftInit, type RaftInit, type RaftPreset, type ResolvedRaftInit } from './raft-options.js'
export type { MembershipOptions, RaftComponents, RaftEvents, RaftStats, ReadOptions, RequestOptions } from './raft-types.js'
export type { ProposeResult, RaftStatus, RequestResult } from './status.js'
export {
  ConfigChangeInProgressError, ConfigurationChangedError, LeadershipTransferInProgressError, ProposalLimitError, TermOutOfRangeError,
  UnknownOutcomeError
} from './errors.js'

// Cluster membership.
export {
  EMPTY_CONFIGURATION, applyConfigChange, isNonVoter, isVoter, memberAddress, memberIds, voterIds,
  type ConfigChange, type Configuration, type Member, type NodeId
} from './configuration.js'

// The pure protocol core: step messages in, take a Ready out.
export { RaftCore } from './raft-core.js'
export {
  DEFAULT_ELECTION_TICKS, DEFAULT_HEARTBEAT_TICKS, DEFAULT_MAX_BYTES_PER_MSG, DEFAULT_MAX_COMMITTED_BYTES_PER_READY,
  DEFAULT_MAX_ENTRIES_PER_MSG, DEFAULT_MAX_INFLIGHT, DEFAULT_READ_ONLY, DEFAULT_TICK_MS, LEASE_DRIFT, MAX_READ_RETRIES, RAFT_DEFAULTS
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
export { CorruptStoreError } from './stored-entry.js'
export { LogCache } from './log-cache.js'
export {
  CorruptSnapshotError, MemorySnapshotStore, snapshotId, type SnapshotInfo, type SnapshotSink, type SnapshotStore
} from './snapshot-store.js'
export { FileSnapshotStore } from './file-snapshot-store.js'

// The transport interface (gRPC: '@clusterfunk/raft/grpc'; in memory: '@clusterfunk/raft/testing').
export type { RaftTransport, TransportHandler } from './transport.js'
