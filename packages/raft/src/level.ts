// The `@clusterfunk/raft/level` entry point: the durable log and hard state on classic-level
// (a native module, an optional peer dependency of @clusterfunk/raft: install it to use this entry).
export { CorruptStoreError, LevelStore } from './level-store.js'
