// The `@clusterfunk/cluster/sim` entry point: whole cluster nodes (the real
// core, Raft, SWIM core and coordinator) on @clusterfunk/sim's virtual
// networks and disks, for deterministic simulation.
export * from './incarnation-clock.js'
export * from './sim-acks.js'
export * from './sim-management.js'
export * from './sim-node.js'
export * from './sim-parts.js'
export * from './sim-swim-part.js'
export * from './trace-logger.js'
