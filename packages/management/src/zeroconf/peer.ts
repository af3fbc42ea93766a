import { parseInstanceName } from './naming.js'
import { decodeTxt, type RecordInfo } from './txt.js'

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

/** Why a record seen on the network was not reported. */
export type IgnoreReason = 'malformed' | 'version' | 'foreign'

/** The fields of a browsed record that matter here (bonjour-service's `Service` has them). */
export interface BrowsedRecord {
  name?: unknown
  host?: unknown
  port?: unknown
  txt?: unknown
  addresses?: unknown
  referer?: { address?: unknown } | undefined
}

/** What a browsed record turned out to be. */
export type Verdict =
  | { kind: 'peer', peer: ZeroconfPeer }
  | { kind: 'own' }
  | { kind: 'ignored', reason: IgnoreReason, detail: string }

function strings (value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

/**
 * Judges one record seen on the network: a peer of `clusterName`, one of
 * this node's own records (`ownNodeId`), or something to ignore and count.
 * The instance name, the SRV port and the TXT must all agree. Never throws.
 */
export function judgeRecord (record: BrowsedRecord, clusterName: string, ownNodeId: string | undefined): Verdict {
  const parts = parseInstanceName(record.name)
  if (parts === undefined) return { kind: 'ignored', reason: 'malformed', detail: 'instance name is not <cluster>_<kind>_<node>' }
  const decoded = decodeTxt(record.txt)
  if (!decoded.ok) return { kind: 'ignored', reason: decoded.reason, detail: decoded.detail }
  const info = decoded.info
  if (info.clusterName !== parts.clusterName || info.kind !== parts.kind || info.nodeId !== parts.nodeId) {
    return { kind: 'ignored', reason: 'malformed', detail: 'TXT disagrees with the instance name' }
  }
  if (record.port !== info.port) return { kind: 'ignored', reason: 'malformed', detail: 'SRV port disagrees with the TXT' }
  if (info.clusterName !== clusterName) return { kind: 'ignored', reason: 'foreign', detail: `cluster ${info.clusterName}` }
  if (info.nodeId === ownNodeId) return { kind: 'own' }
  let addresses = strings(record.addresses)
  if (addresses.length === 0 && typeof record.referer?.address === 'string') addresses = [record.referer.address]
  const txt: Record<string, string> = {}
  for (const [key, value] of Object.entries(record.txt as Record<string, unknown>)) {
    if (typeof value === 'string') txt[key] = value
  }
  return {
    kind: 'peer',
    peer: { ...info, instance: record.name as string, host: typeof record.host === 'string' ? record.host : '', addresses, txt }
  }
}

/** True when two views of the same record differ in anything a caller sees. */
export function peerChanged (a: ZeroconfPeer, b: ZeroconfPeer): boolean {
  return JSON.stringify(a) !== JSON.stringify(b)
}
