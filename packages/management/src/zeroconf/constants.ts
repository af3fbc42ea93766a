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

/** How long a browse listens by default: clusterfunk browsed for about a second at start. */
export const DEFAULT_DISCOVER_MS = 1_000

/** Longest DNS label: the instance name must fit in one. */
export const MAX_INSTANCE_BYTES = 63
/** Longest TXT string (`key=value`). */
export const MAX_TXT_STRING_BYTES = 255
