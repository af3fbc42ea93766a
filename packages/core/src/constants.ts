/** Defaults of the ports: the limits a real connection enforces unless told otherwise. */

/** Most bytes a stream connection holds unsent before it is destroyed (a whole push/pull of 16 MiB fits twice). */
export const DEFAULT_MAX_WRITE_BUFFER_BYTES = 32 * 1024 * 1024
/** Most connections a listener keeps open at once. */
export const DEFAULT_MAX_CONNECTIONS = 1_024
/** Most connections a listener keeps open at once from one remote host. */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 128
/** A connection with no byte either way for this long is closed (ms). */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000
