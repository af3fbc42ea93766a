import type { IgnoreReason, ZeroconfPeer } from '@clusterfunk/management'

// The peer record and the reasons to ignore one belong to the record format in @clusterfunk/management.
export type { IgnoreReason, ZeroconfPeer }

/** Events of a `Zeroconf`. */
// A type, not an interface: TypedEventEmitter needs an index-compatible map.
export type ZeroconfEvents = {
  /** A valid record of another node of this cluster appeared. */
  'peer:found': ZeroconfPeer
  /** A record that was found changed (port, host, addresses or TXT). */
  'peer:update': ZeroconfPeer
  /** A record that was found said goodbye, expired, or became invalid. */
  'peer:lost': ZeroconfPeer
}

/** The name of a `Zeroconf` event. */
export type ZeroconfEventType = keyof ZeroconfEvents

/** Counts of what a `Zeroconf` saw since construction. */
export interface ZeroconfStats {
  found: number
  lost: number
  /** Records not reported, by reason: `malformed` (bad name or TXT), `version` (unknown TXT layout), `foreign` (another cluster). */
  ignored: Record<IgnoreReason, number>
  /** mDNS send or socket errors. */
  errors: number
}
