/** Defaults of the `Swim` service's options (`SwimInit`). */

/** Address bound when none is given: loopback, secure by default. */
export const DEFAULT_HOST = '127.0.0.1'
/** Port bound when none is given (memberlist's and Serf's). 0 picks a free one. */
export const DEFAULT_PORT = 7946
/** Inbound push/pull exchanges served at once (memberlist's limit). */
export const DEFAULT_MAX_CONCURRENT_PUSH_PULLS = 128
/**
 * Inbound TCP connections open at once; more are closed on accept. Before
 * it authenticates a connection holds at most a stream head (about 1 KiB),
 * so a full house of idle or hostile connections costs file descriptors,
 * not memory.
 */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 1024
/**
 * Inbound TCP connections open at once from one remote address; more are
 * closed on accept. Honest peers hold at most a few streams each to one
 * node (a push/pull, a fallback ping, oversized broadcasts), so 64 members
 * sharing one address (a loopback test cluster, or members behind one
 * NAT) stay below 4 × 63 = 252; one address alone cannot fill the total.
 */
export const DEFAULT_MAX_STREAMS_PER_ADDRESS = 256
/**
 * An inbound TCP connection with no byte in either direction for this
 * long is closed (ms); the exchange deadline (`tcpTimeoutMs`) bounds a
 * trickling one.
 */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 5_000
/** How long `leave()` waits for the leave to spread by default. */
export const DEFAULT_LEAVE_TIMEOUT_MS = 5000
/** Sequence numbers remembered per sender below the highest seen (replay protection, sealed traffic only). */
export const DEFAULT_REPLAY_WINDOW = 1024
/** Largest gap between a sealed message's send time and the receiver's wall clock (ms); covers clock skew. */
export const DEFAULT_MAX_MESSAGE_AGE_MS = 30_000
/** Replay windows kept for senders that are not members (joining nodes); the oldest is dropped first. */
export const DEFAULT_MAX_STRANGER_WINDOWS = 256
