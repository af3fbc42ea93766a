// SWIM gossip membership: the pure protocol core, its wire formats and the Swim driver.
// The shipping Swim on a simulated host (simSwim) is behind '@clusterfunk/swim/sim'; the main entry never loads @clusterfunk/sim.

// The driver and its options.
export { Swim, type FireOptions, type SwimEventItem, type SwimEvents } from './swim.js'
export {
  checkTags, resolveSwimInit, type ResolvedSwimInit, type SwimComponents, type SwimInit, type SwimPreset
} from './swim-options.js'
export {
  DEFAULT_HOST, DEFAULT_LEAVE_TIMEOUT_MS, DEFAULT_MAX_CONCURRENT_PUSH_PULLS, DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_MAX_MESSAGE_AGE_MS,
  DEFAULT_MAX_STRANGER_WINDOWS, DEFAULT_MAX_STREAMS_PER_ADDRESS, DEFAULT_PORT, DEFAULT_REPLAY_WINDOW, DEFAULT_STREAM_IDLE_TIMEOUT_MS
} from './constants.js'
export { JoinError, PayloadTooLargeError, StreamError, type JoinFailure } from './errors.js'
export {
  DROP_REASONS, SwimMetrics, totalDropped, type DropReason, type RefusalReason, type SwimStats, type TransportKind
} from './swim-metrics.js'

// Members and what happens to them.
export type { Member, MemberEvent, MemberEventType } from './member.js'

// Protocol configuration: presets and the arithmetic they feed.
export { MIN_UDP_PACKET_SIZE, lanConfig, localConfig, swimConfig, validateConfig, wanConfig, type SwimConfig } from './config.js'
export {
  Suspicion, remainingSuspicionTime, suspicionBounds, suspicionTimeout, wantedConfirmations, type SuspicionBounds
} from './suspicion.js'
export { Awareness, applyHealthDelta, scaleByHealth } from './awareness.js'
export { PUSH_PULL_SCALE_THRESHOLD, pushPullInterval, retransmitLimit } from './scaling.js'

// The pure protocol core: inputs in, outputs out, no sockets or timers.
export { SwimCore, type SwimCoreInit } from './swim-core.js'
export type { FallbackPingRequest, Packet, PushPullRequest, StreamMessagesRequest, StreamRequest, SwimOutput } from './outputs.js'
export { BroadcastQueue, type PackedSize, type QueuedBroadcast } from './broadcast-queue.js'

// User events and queries (Serf's) on the same gossip.
export { MAX_DIRECT_QUERY_TARGETS, USER_RETRANSMIT_SCALE, UserMessages, queryMatches, type QueryInit, type UserMessagesContext } from './user-messages.js'
export { LamportClock, USER_LTIMES } from './lamport.js'
export { RecentMessages, type Admission } from './recent-messages.js'

// Messages and their encoding.
export {
  MAX_SEQ, isLeave, numbersInRange, tagsEqual, tagsSize,
  type AckMessage, type AliveMessage, type CompoundMessage, type DeadMessage, type IndirectPingMessage, type MemberStatus,
  type MembershipMessage, type NackMessage, type PingMessage, type PushPullMember, type PushPullState, type SimpleMessage,
  type SuspectMessage, type SwimMessage, type Tags, type BroadcastMessage, type UserEventMessage, type QueryMessage,
  type QueryResponseMessage, type UserMessage
} from './messages.js'
export {
  MAX_MEMBER_TAGS, MAX_NAME_BYTES, MAX_QUERY_FILTER_NODES, MAX_PACKET_BYTES, MAX_PACKET_MESSAGES, MAX_PUSH_PULL_BYTES, MAX_PUSH_PULL_MEMBERS,
  PACKET_HEADER_BYTES, PROTOCOL_VERSION,
  decodePacket, decodePushPull, encodePacket, encodePushPull, messageSize, packedMessageSize, packetSize
} from './codec.js'
export { formatAddress, isUnspecified, parseAddress, type HostPort } from './address.js'

// Encryption, freshness and replay protection.
export {
  ENCRYPTION_OVERHEAD_BYTES, ENCRYPTION_VERSION, KEY_BYTES, Keyring, MAX_LABEL_BYTES, NONCE_BYTES, SealVersionError, TAG_BYTES,
  cryptoNonces, decrypt, encrypt, generateKey, keyBytes, labelBytes, type KeyInput, type NonceSource
} from './keyring.js'
export {
  FRESHNESS_FIXED_BYTES, MAX_FRESHNESS_BYTES, RECIPIENT_RESERVE_BYTES, freshnessReserve, readFreshness, writeFreshness, type Freshness
} from './freshness.js'
export { ReplayGuard, type ReplayGuardOptions, type StaleReason } from './replay-guard.js'
export { createSealer, type Opened, type Sealer, type SealerInit } from './sealer.js'

// The TCP stream format: frames and whole messages.
export {
  FRAME_HEADER_BYTES, FrameError, FrameReader, HEAD_PLAINTEXT_BYTES, MAX_STREAM_BODY_BYTES,
  STREAM_ACK, STREAM_MESSAGES, STREAM_PING, STREAM_PUSH_PULL,
  encodeFrame, framePlaintext, headPlaintext, isStreamKind, readHead, splitPlaintext, type StreamKind
} from './frames.js'
export {
  MAX_HEAD_FRAME_BYTES, MAX_SEAL_OVERHEAD_BYTES, StreamDropError, StreamReader, checkHead, encodeStreamMessage, type StreamHead
} from './stream-message.js'
