/** The DNS-SD service name every clusterfunk record is published under (`_clusterfunk._udp`). */
export const SERVICE_NAME = 'clusterfunk'
/** The DNS-SD protocol label of clusterfunk records. */
export const SERVICE_PROTOCOL = 'udp'
/** The full DNS-SD service type, as avahi-browse takes it. */
export const SERVICE_TYPE = `_${SERVICE_NAME}._${SERVICE_PROTOCOL}`
/** The mDNS domain. */
export const DOMAIN = 'local'
/** The version of the TXT layout this code writes and reads (the `v` key). */
export const TXT_FORMAT_VERSION = '1'
/** The well-known mDNS port. */
export const MDNS_PORT = 5353

/** How long `discover()` browses by default: clusterfunk browsed for about a second at start. */
export const DEFAULT_DISCOVER_MS = 1_000
/** How often a running browser asks the network again (and drops records whose TTL ran out). */
export const DEFAULT_QUERY_INTERVAL_MS = 10_000
/** How long `start()` waits for its records to be probed and announced. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000
/** The protocol version advertised when the caller names none. */
export const DEFAULT_PROTOCOL_VERSION = 1

/** Longest DNS label: the instance name must fit in one. */
export const MAX_INSTANCE_BYTES = 63
/** Longest TXT string (`key=value`). */
export const MAX_TXT_STRING_BYTES = 255
