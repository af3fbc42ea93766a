// The record format's constants live with the record format in @clusterfunk/management
// (funkctl browses with them); re-exported so this package's users keep importing them here.
export { DEFAULT_DISCOVER_MS, DOMAIN, MAX_INSTANCE_BYTES, MAX_TXT_STRING_BYTES, MDNS_PORT, SERVICE_NAME, SERVICE_PROTOCOL, SERVICE_TYPE, TXT_FORMAT_VERSION } from '@clusterfunk/management'

/** How often a running browser asks the network again (and drops records whose TTL ran out). */
export const DEFAULT_QUERY_INTERVAL_MS = 10_000
/** How long `start()` waits for its records to be probed and announced. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000
/** The protocol version advertised when the caller names none. */
export const DEFAULT_PROTOCOL_VERSION = 1
