// The foundation every clusterfunk package builds on: time, randomness, logging, events,
// errors, metrics and the small network helpers the drivers share.
// Test aids (freePorts) are behind '@clusterfunk/core/testing'; benchmark helpers behind './bench'.

// Time: the Clock drivers take, the real one and a manual one for deterministic callers.
export { ManualClock, SystemClock, systemClock, type Clock, type TimerHandle } from './clock.js'
export {
  DEFAULT_HEALTH_FLOOR_MS, DEFAULT_HEALTH_PROBE_INTERVAL_MS, DEFAULT_HEALTH_WINDOW_MS, LocalHealthMonitor, punctualHealth, widenedTimeout,
  type LocalHealth, type LocalHealthInit
} from './local-health.js'

// Randomness: seeded, so a run can be replayed.
export { SeededRandom, createRandom, randomSeed, type Random } from './random.js'

// Logging.
export { createLogger, silentLogger, type LogFields, type LogLevel, type Logger, type LoggerInit } from './logger.js'

// Typed events and async iteration over them.
export {
  EventOverflowError, TypedEventEmitter, eventIterator, type EventHandler, type EventIteratorOptions, type ListenerOptions
} from './events.js'

// Lifecycle of a service.
export { Service, type ServiceStatus, type Startable } from './startable.js'

// Errors shared across packages, each with a stable name.
export {
  AbortError, ClusterfunkError, DecodeError, InvalidArgumentError, InvalidConfigError, NotLeaderError, NotStartedError, TimeoutError,
  isErrorNamed
} from './errors.js'

// Cancellation and bounded waiting.
export { delay, raceSignal, throwIfAborted, waitFor, type AbortOptions, type DelayOptions, type WaitForOptions } from './abort.js'

// Metrics: the interface drivers count through, a no-op and an in-memory implementation.
export {
  MemoryMetrics, noopMetrics, type Counter, type Gauge, type Histogram, type HistogramInit, type Labels, type MetricInit, type Metrics
} from './metrics.js'

// Checked ranges for every counter on the wire.
export {
  CounterExhaustedError, INCARNATIONS, LAMPORT_TIMES, LOG_INDEXES, MAP_VERSIONS, TERMS,
  checkCounter, counterRange, inRange, nextCounter, plausibleAdvance, type CounterRange
} from './counters.js'

// Ports: the packet and stream interfaces drivers take, and their real adapters over dgram and net.
export type { PacketHandler, PacketPort, PacketPorts, PortAddress } from './packet-port.js'
export {
  StreamOverflowError, type StreamConnection, type StreamListenInit, type StreamListener, type StreamPorts
} from './stream-port.js'
export { udpPorts } from './udp-port.js'
export { tcpPorts } from './tcp-port.js'
export {
  DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_MAX_WRITE_BUFFER_BYTES
} from './constants.js'

// Sockets: UDP bind/close, the connection caps and the per-peer connection guard, host:port parsing.
export { bindUdpSocket, closeUdpSocket } from './udp.js'
export { ConnectionCaps, type ConnectionCapsInit } from './connection-caps.js'
export {
  ConnectionGuard, PortInUseError, type ConnectionGuardComponents, type ConnectionGuardInit, type GuardAddress
} from './connection-guard.js'
export { isLoopback, joinHostPort, parseHostPort, tlsTarget } from './host-port.js'
