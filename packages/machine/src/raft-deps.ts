// Everything this package takes from @clusterfunk/raft, in one place: the core
// entry, the gRPC transport (./grpc) and the classic-level store (./level).
export {
  FileSnapshotStore, Raft, readAll,
  type Configuration, type Entry, type Fsm, type HardState, type LogStore, type Member, type RaftPreset, type RaftStats,
  type SnapshotInfo, type StableStore, type WriteOptions
} from '@clusterfunk/raft'
export { GrpcTransport, type GrpcTlsInit } from '@clusterfunk/raft/grpc'
export { LevelStore } from '@clusterfunk/raft/level'
