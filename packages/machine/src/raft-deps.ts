// Everything this package takes from @clusterfunk/raft, in one place.
export {
  FileSnapshotStore, GrpcTransport, LevelStore, Raft, readAll,
  type Configuration, type Entry, type Fsm, type GrpcTlsInit, type RaftPreset, type RaftStats, type SnapshotInfo
} from '@clusterfunk/raft'
