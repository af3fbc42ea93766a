import type { RecordInfo } from './txt.js'

/** A record of another node of the same cluster, as seen on the network. */
export interface ZeroconfPeer extends RecordInfo {
  /** The instance name, `<cluster>_<kind>_<nodeId>`. */
  instance: string
  /** The host name the record points at (its SRV target). */
  host: string
  /**
   * The host's addresses from the record's A/AAAA records; when it came
   * without any, the address the announcement was sent from.
   */
  addresses: string[]
  /** The raw TXT pairs. */
  txt: Record<string, string>
}

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

/** Why a record seen on the network was not reported. */
export type IgnoreReason = 'malformed' | 'version' | 'foreign'

/** Counts of what a `Zeroconf` saw since construction. */
export interface ZeroconfStats {
  found: number
  lost: number
  /** Records not reported, by reason: `malformed` (bad name or TXT), `version` (unknown TXT layout), `foreign` (another cluster). */
  ignored: Record<IgnoreReason, number>
  /** mDNS send or socket errors. */
  errors: number
}
