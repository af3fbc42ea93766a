/** Defaults of a `ManagementServer` and a `ManagementClient`. */
export const MANAGEMENT_DEFAULTS = {
  /** The server binds loopback unless told otherwise. */
  host: '127.0.0.1',
  /** A free port. */
  port: 0,
  /** Deadline of a call forwarded to the leader (ms). */
  forwardTimeoutMs: 5_000,
  /** How long `stop()` waits for calls to finish before cutting them (ms). */
  shutdownTimeoutMs: 2_000,
  /** Deadline of a client call without its own (ms). */
  callTimeoutMs: 5_000,
  /** Clients a follower keeps open to leaders it forwards to. */
  forwardClients: 8,
  /** Shards of a `MemoryCluster`'s map, as a node's default. */
  memoryShards: 10_000
} as const

/** Defaults of `ManagementConnectionLimits` (see there for each). */
export const DEFAULT_CONNECTION_LIMITS = Object.freeze({
  maxConnections: 256, maxConnectionsPerAddress: 64, idleTimeoutMs: 120_000, sessionIdleMs: 60_000, maxStreamsPerConnection: 32, maxSessionMemoryMb: 4
})

/** Defaults of `WatchLimits`: a quarter of the slots per address and an eighth per connection, so one caller never takes them all. */
export const DEFAULT_WATCH_LIMITS = Object.freeze({ maxWatchers: 64, maxPerClient: 8, maxPerAddress: 16, stallMs: 10_000 })
