// Everything this package takes from @clusterfunk/raft, in one place.
export {
  FileSnapshotStore, GrpcTransport, LevelStore, Raft, readAll,
  type Configuration, type Entry, type Fsm, type GrpcTlsInit, type HardState, type LogStore, type Member, type RaftPreset, type RaftStats,
  type SnapshotInfo, type StableStore, type WriteOptions
} from '@clusterfunk/raft'
