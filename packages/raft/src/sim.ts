// The `@clusterfunk/raft/sim` entry point: Raft's adapters to @clusterfunk/sim (needed only at type level)
// and the linearizability checker used by the whole-node simulation.

// The transport and stores over the simulator's networks and disks.
export { SimTransport, type SimTransportComponents, type SimTransportInit, type SimTransportStats } from './sim-transport.js'
export { SimLogStore, type SimLogStoreComponents, type SimLogStoreInit } from './sim-log-store.js'
export { SimSnapshotStore } from './sim-snapshot-store.js'

// Checking a recorded history for linearizability.
export {
  checkLinearizable, kvModel,
  type CheckOptions, type CheckResult, type CheckVerdict, type KvInput, type KvOutput, type Model, type Operation
} from './linearizability.js'
