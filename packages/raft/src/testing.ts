// The `@clusterfunk/raft/testing` entry point: aids for tests, never needed by a node in production.
export { MemoryNetwork, MemoryTransport } from './memory-transport.js'
export { inspectRaft, type RaftInspection } from './inspect-raft.js'
