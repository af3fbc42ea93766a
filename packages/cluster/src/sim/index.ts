// The `@clusterfunk/cluster/sim` entry point: whole cluster nodes (the real
// core, Raft, coordinator, and the shipping SWIM and liveness drivers on
// simulated hosts) on @clusterfunk/sim's virtual networks and disks, for
// deterministic simulation.

// A whole node and the world it lives in.
export { SimClusterNode, type SimNodeInit } from './sim-node.js'
export { SIM_PORTS, SimParts, type SimPartsInit, type SimWorld } from './sim-parts.js'

// The parts a simulated node is assembled from.
export { ACK_TAKEN, SimManagement } from './sim-management.js'
export { SimAckChannel, type SimAckChannelInit } from './sim-acks.js'

// Tracing a run.
export { TraceLogger, type TraceSink } from './trace-logger.js'
