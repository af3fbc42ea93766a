// Defaults of @clusterfunk/machine, one place. Units are in the names.

/** Largest bulk string a client may send (Redis: 512 MiB; ours is smaller so one connection cannot take the heap). */
export const DEFAULT_MAX_BULK_BYTES = 16 * 1024 * 1024
/** Elements of one array at most (a command's arguments). */
export const DEFAULT_MAX_ARRAY_ELEMENTS = 1024 * 1024
/** Arrays inside arrays at most (commands are one level; forwarded replies may nest). */
export const DEFAULT_MAX_NESTING = 32
/** Longest inline command line (Redis: 64 KiB). */
export const DEFAULT_MAX_INLINE_BYTES = 64 * 1024
/** Bytes of one connection buffered before they form a whole frame; more closes the connection. */
export const DEFAULT_MAX_PENDING_BYTES = 32 * 1024 * 1024
/** Bytes of replies queued to a slow client before its connection is closed. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024

/** The client port when none is given (uhaha's). */
export const DEFAULT_PORT = 11001
/** The client address when none is given: loopback only. */
export const DEFAULT_HOST = '127.0.0.1'
/** The Raft (gRPC) port is the client port plus this, unless configured. */
export const RAFT_PORT_OFFSET = 10000
/** Interval of the `tick` write on the leader. */
export const DEFAULT_TICK_DELAY_MS = 200
/** The data directory when none is given. */
export const DEFAULT_DATA_DIR = 'data'
/** The node id when none is given. */
export const DEFAULT_NODE_ID = '1'
/** How long a forwarded command or a join waits for the leader. */
export const DEFAULT_FORWARD_TIMEOUT_MS = 10_000
/** Commands kept queued for one MONITOR client before it is dropped as too slow. */
export const DEFAULT_MONITOR_QUEUE = 10_000
/** Application name and version when the definition gives none. */
export const DEFAULT_NAME = 'machine-app'
export const DEFAULT_VERSION = '0.0.0'
