// UDP liveness checking: a checker that probes nodes and an endpoint that answers.
// The simulated checker and endpoint are behind '@clusterfunk/liveness/sim'.

// Defaults.
export {
  DEFAULT_HOST, DEFAULT_INTERVAL_MS, DEFAULT_MAX_CHECKERS, DEFAULT_MAX_PROBE_AGE_MS, DEFAULT_MIN_TIMEOUT_MS, DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MULTIPLIER, RTT_BUCKETS_SECONDS, RTT_SMOOTHING, TICK_MS
} from './constants.js'

// What a checker reports.
export type {
  LivenessEventItem, LivenessEvents, NodeAddress, NodeAliveEvent, NodeDeadEvent, NodeState, NodeStatus
} from './events.js'

// The checker and the endpoint.
export type { LivenessKey } from './options.js'
export { resolveCheckerInit, type LivenessCheckerInit, type ResolvedCheckerInit } from './checker-init.js'
export { LivenessChecker, type LivenessCheckerComponents, type LivenessCheckerStats } from './checker.js'
export {
  LivenessEndpoint, type LivenessEndpointComponents, type LivenessEndpointInit, type LivenessEndpointStats
} from './endpoint.js'

// The pure protocol core: which node is due, which reply counts.
export {
  LivenessTracker, type ReplyRejection, type TrackedNode, type TrackerOptions, type TrackerOutput
} from './tracker.js'

// The wire: the sealed probe/reply packet, its schema, and the counted reasons a packet is dropped.
export {
  DROP_REASONS, FRESHNESS_BYTES, KIND_PROBE, KIND_REPLY, MAC_BYTES, MAX_NODE_ID_BYTES, MAX_PACKET_BYTES, PROTOCOL_VERSION,
  bodyLength, createPacketView, decodePacket, packetTemplate, sealPacket, verifyPacket, writeFreshness, writeKind, writeNonce,
  type DropReason, type PacketView
} from './packet.js'
export { decodeWithSchema, encodeWithSchema, livenessPacketType, type PacketMessage } from './schema.js'
export { DropCounter, type DropCounts } from './drops.js'
