// Deterministic simulation: one seeded event loop with virtual time, simulated packet and
// stream networks, crash-prone disks, and a runner that replays a failing seed.

// The simulation and its clocks.
export { Simulation, type EventOptions, type RunUntilOptions, type SimulationInit } from './simulation.js'
export { NodeClock } from './node-clock.js'
export {
  DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_FAILURE_TRACE_LINES, DEFAULT_FIRST_SEED, DEFAULT_LATENCY, DEFAULT_MAX_EVENTS_PER_RUN,
  DEFAULT_MAX_PACKET_BYTES, DEFAULT_REORDER_MAX_EXTRA_MS, DEFAULT_SEED_BUDGET_MS, DEFAULT_SEEDS, DEFAULT_START_MS, DEFAULT_WALL_ORIGIN_MS
} from './constants.js'
export {
  ConnectionError, DiskIoError, SeedFailureError, SimulationLimitError, type ConnectionErrorCode, type DiskErrorCode
} from './errors.js'

// Networks: links, partitions, datagrams, streams and request/response over them.
export { nodeOf } from './address.js'
export { copyBytes } from './copy-bytes.js'
export { DEFAULT_LINK, sampleLatency, validateLatency, validateLink, type Latency, type LinkConfig } from './link.js'
export { Partitions, type PartitionOptions } from './partitions.js'
export {
  PacketNetwork, PacketSocket, type DropReason, type LinkOptions, type PacketHandler, type PacketNetworkInit, type PacketStats
} from './packet-network.js'
export { StreamNetwork, type StreamListener, type StreamNetworkInit, type StreamStats } from './stream-network.js'
export { SimConnection, type ConnectionHost, type ConnectionState } from './stream-connection.js'
export { SimRpc, type RequestHandler, type RequestOptions } from './rpc.js'

// Hosts: the ports and clock the shipping drivers run on, one machine each, with IPs mapped to node names.
export { SimHosts, type SimHostInit, type SimHostsNetworks } from './sim-hosts.js'
export { SimHost } from './sim-host.js'
export { HostClock, type InputGate } from './host-clock.js'

// Disks that lose unsynced writes on a crash.
export { SimDisk, type BatchOp, type CrashMode, type DiskStats, type WriteOptions } from './disk.js'
export { compareKeys, inRange, type KeyRange } from './key-range.js'

// Running many seeds, tracing a run and replaying a failure.
export { runSeeds, type RunSeedsOptions, type RunSeedsSummary, type SeedContext } from './seed-runner.js'
export { Trace, type TraceInit } from './trace.js'
export { callerFile, replayCommand, shellQuote, type TestLocation } from './replay.js'
