// The `@clusterfunk/raft/sim` entry point: Raft's adapters to @clusterfunk/sim (needed only at type level)
// and the linearizability checker used by the whole-node simulation.
export * from './sim-transport.js'
export * from './sim-log-store.js'
export * from './sim-snapshot-store.js'
export * from './linearizability.js'
