import multicastDns from 'multicast-dns'
import type { Answer } from 'dns-packet'
import type { RemoteInfo } from 'node:dgram'
import { noopMetrics, raceSignal, systemClock, type AbortOptions, type Clock, type Metrics, type TimerHandle } from '@clusterfunk/core'
import { DEFAULT_DISCOVER_MS, DOMAIN, MDNS_PORT, SERVICE_TYPE } from './constants.js'
import { judgeRecord, type BrowsedRecord, type ZeroconfPeer } from './peer.js'
import type { MdnsSocket } from './socket.js'

/** What `browsePeers` takes from outside. Every field is optional. */
export interface BrowseComponents {
  clock?: Clock
  metrics?: Metrics
  /** Makes the mDNS socket. Default: a real UDP socket made by multicast-dns. */
  createSocket?: () => MdnsSocket
}

/** Where and what to browse. */
export interface BrowseInit {
  /** Only records of this cluster are returned. */
  clusterName: string
  /** IPv4 address of the one interface to send and receive mDNS on. Default every interface. */
  interface?: string
  /** mDNS port. Default 5353; other values only make sense for tests. */
  port?: number
}

/** Options of one browse. */
export interface BrowseOptions extends AbortOptions {
  /** How long to listen for answers (ms). Default 1 000, as clusterfunk did. */
  timeoutMs?: number
}

/** Most records a browse keeps: a flood of forged instances cannot grow its memory past this. */
export const MAX_BROWSED_RECORDS = 1_024

const SERVICE_FQDN = `${SERVICE_TYPE}.${DOMAIN}`
const INSTANCE_SUFFIX = `.${SERVICE_FQDN}`

/** Every record type but the EDNS pseudo-record, which has no name to match nor TTL. */
type Rr = Exclude<Answer, { type: 'OPT' }>

function sameName (a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

/**
 * TXT strings as `key=value` pairs, split at the first `=` (bonjour-service's
 * reading, so both browsers agree). A null prototype: a `__proto__` key is a
 * plain key, not a prototype.
 */
export function decodeTxtStrings (data: unknown): Record<string, string> {
  const pairs = Object.create(null) as Record<string, string>
  const strings = Array.isArray(data) ? data : [data]
  for (const item of strings) {
    if (!(item instanceof Uint8Array) && typeof item !== 'string') continue
    const text = Buffer.from(item).toString()
    const eq = text.indexOf('=')
    if (text.length <= 1 || eq <= 0 || eq === text.length - 1) continue
    pairs[text.slice(0, eq)] = text.slice(eq + 1)
  }
  return pairs
}

/**
 * The clusterfunk records one mDNS response describes, read as
 * bonjour-service's browser reads them: a PTR to the instance, its SRV and
 * TXT, and the A/AAAA records of the SRV target, all in the same packet.
 * Goodbyes (PTR with TTL 0) come back as `gone`. Never throws.
 */
export function recordsOf (all: readonly Answer[], referer: string): { records: Array<BrowsedRecord & { fqdn: string }>, gone: string[] } {
  const answers = all.filter((rr): rr is Rr => rr.type !== 'OPT')
  const records: Array<BrowsedRecord & { fqdn: string }> = []
  const gone: string[] = []
  for (const ptr of answers) {
    if (ptr.type !== 'PTR' || typeof ptr.data !== 'string' || !sameName(ptr.name, SERVICE_FQDN)) continue
    const fqdn = ptr.data
    if (ptr.ttl === 0) {
      gone.push(fqdn.toLowerCase())
      continue
    }
    if (fqdn.length <= INSTANCE_SUFFIX.length || !sameName(fqdn.slice(-INSTANCE_SUFFIX.length), INSTANCE_SUFFIX)) continue
    const live = answers.filter(rr => rr.ttl !== 0 && sameName(rr.name, fqdn))
    const srv = live.find(rr => rr.type === 'SRV')
    const txt = live.find(rr => rr.type === 'TXT')
    if (srv?.type !== 'SRV' || txt?.type !== 'TXT') continue
    const host = srv.data.target
    const addresses = answers
      .filter(rr => (rr.type === 'A' || rr.type === 'AAAA') && rr.ttl !== 0 && sameName(rr.name, host))
      .map(rr => rr.data)
      .filter((a): a is string => typeof a === 'string')
    records.push({
      fqdn: fqdn.toLowerCase(),
      name: fqdn.slice(0, -INSTANCE_SUFFIX.length),
      host,
      port: srv.data.port,
      txt: decodeTxtStrings(txt.data),
      addresses,
      referer: { address: referer }
    })
  }
  return { records, gone }
}

/**
 * Browses mDNS for `_clusterfunk._udp` records for about a second
 * (`timeoutMs`) without publishing anything, and returns the valid records
 * of `clusterName` seen, in the order they were first seen; the socket is
 * closed before it returns. What funkctl does to find a cluster: only this
 * and multicast-dns, no node runtime. Records judged invalid or foreign,
 * and any beyond `MAX_BROWSED_RECORDS`, are dropped and counted. Rejects
 * when the socket cannot bind, and with `AbortError` when `signal` fires.
 */
export async function browsePeers (components: BrowseComponents, init: BrowseInit, options: BrowseOptions = {}): Promise<ZeroconfPeer[]> {
  const clock = components.clock ?? systemClock
  const ignored = (components.metrics ?? noopMetrics).counter({
    name: 'clusterfunk_management_zeroconf_ignored_records_total', help: 'Zeroconf records browsed and not reported, by reason', labelNames: ['reason']
  })
  const timeoutMs = options.timeoutMs ?? DEFAULT_DISCOVER_MS
  const socket = components.createSocket?.()
  const mdns = multicastDns({
    port: init.port ?? MDNS_PORT,
    ...(init.interface === undefined ? {} : { interface: init.interface }),
    ...(socket === undefined ? {} : { socket: socket as NonNullable<multicastDns.Options['socket']> })
  })
  const found = new Map<string, ZeroconfPeer>()
  // Socket errors after the bind (a send that failed) are not fatal to a browse: what was heard still counts.
  // A failed bind also lands here, and then rejects the browse below.
  const onLateError = (): void => { ignored.inc({ reason: 'socket' }) }
  const onResponse = (packet: { answers?: Answer[], additionals?: Answer[] }, rinfo: RemoteInfo): void => {
    const { records, gone } = recordsOf([...(packet.answers ?? []), ...(packet.additionals ?? [])], rinfo.address)
    for (const fqdn of gone) found.delete(fqdn)
    for (const record of records) {
      const verdict = judgeRecord(record, init.clusterName, undefined)
      if (verdict.kind !== 'peer') {
        ignored.inc({ reason: verdict.kind === 'ignored' ? verdict.reason : 'own' })
      } else if (found.has(record.fqdn) || found.size < MAX_BROWSED_RECORDS) {
        found.set(record.fqdn, verdict.peer)
      } else {
        ignored.inc({ reason: 'full' })
      }
    }
  }
  const query = (): void => { mdns.query([{ name: SERVICE_FQDN, type: 'PTR' }]) }
  const handles: TimerHandle[] = []
  // Listening from the start: an 'error' event with no listener would crash the process.
  mdns.on('error', onLateError)
  mdns.on('warning', onLateError)
  try {
    await raceSignal(new Promise<void>((resolve, reject) => {
      const onBindError = (err: Error): void => { reject(err) }
      mdns.once('ready', () => {
        mdns.removeListener('error', onBindError)
        resolve()
      })
      mdns.once('error', onBindError)
    }), options.signal)
    mdns.on('response', onResponse)
    query()
    await raceSignal(new Promise<void>(resolve => {
      // Asked twice, as mDNS browsers do: one lost datagram must not hide the cluster.
      handles.push(clock.setTimeout(query, Math.floor(timeoutMs / 2)))
      handles.push(clock.setTimeout(resolve, timeoutMs))
    }), options.signal)
    return [...found.values()]
  } finally {
    for (const h of handles) clock.clearTimeout(h)
    mdns.removeListener('response', onResponse)
    await new Promise<void>(resolve => { mdns.destroy(() => { resolve() }) })
    mdns.removeListener('error', onLateError)
    mdns.removeListener('warning', onLateError)
  }
}
