import { isIP } from 'node:net'
import Bonjour from 'bonjour-service'
import type { Clock } from '@clusterfunk/core'
import type { MdnsSocket } from '@clusterfunk/management'

/**
 * The one place that knows bonjour-service's shape. bonjour-service hides
 * its multicast-dns instance, but that instance emits `error` (a failed
 * bind) with nobody listening, which would crash the process; so this
 * reaches for it once, checks its shape, and listens.
 */
export interface MdnsEvents {
  on: (event: string, listener: (...args: unknown[]) => void) => unknown
  removeListener: (event: string, listener: (...args: unknown[]) => void) => unknown
  query: (name: string, type: string) => void
}

export type BonjourInstance = InstanceType<typeof Bonjour>
export type BonjourService = Bonjour.Service
export type BonjourBrowser = Bonjour.Browser

/** multicast-dns options, as bonjour-service hands them through. */
export interface MdnsOptions {
  interface?: string
  bind?: string
  port?: number
  socket?: MdnsSocket
}

/** Creates a Bonjour instance and returns it with its mdns emitter. */
export function createBonjour (options: MdnsOptions, onError: (err: Error) => void): { bonjour: BonjourInstance, mdns: MdnsEvents } {
  const clean = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))
  const bonjour = new Bonjour(clean as ConstructorParameters<typeof Bonjour>[0], onError)
  const mdns = (bonjour as unknown as { server?: { mdns?: unknown } }).server?.mdns as MdnsEvents | undefined
  if (typeof mdns?.on !== 'function' || typeof mdns.query !== 'function' || typeof mdns.removeListener !== 'function') {
    bonjour.destroy()
    throw new Error('bonjour-service changed its internals: no multicast-dns instance found at bonjour.server.mdns')
  }
  return { bonjour, mdns }
}

/** Resolves once the mDNS socket is bound; rejects with the bind error. */
export async function whenReady (mdns: MdnsEvents): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const done = (err?: unknown): void => {
      mdns.removeListener('ready', onReady)
      mdns.removeListener('error', onFail)
      if (err === undefined) resolve()
      else reject(err instanceof Error ? err : new Error(String(err)))
    }
    const onReady = (): void => { done() }
    const onFail = (err: unknown): void => { done(err) }
    mdns.on('ready', onReady)
    mdns.on('error', onFail)
  })
}

/** Emitted on a published service when probing found its name in use. */
const CONFLICT_EVENT = 'clusterfunk:conflict'

/** What to publish for one record. */
export interface PublishOptions {
  name: string
  type: string
  protocol: 'udp' | 'tcp'
  port: number
  host: string
  txt: Record<string, string>
  disableIPv6: boolean
  /** Replaces the A/AAAA records bonjour-service would derive from the interfaces. */
  addresses: readonly string[] | undefined
}

/**
 * Publishes one record with bonjour-service's probe-then-announce. When
 * `addresses` is given, the service's records are rebuilt with exactly
 * those A/AAAA records; that happens before the first announcement because
 * the probe runs first (asynchronously), and the goodbye uses them too.
 */
export function publish (bonjour: BonjourInstance, options: PublishOptions): BonjourService {
  const service = bonjour.publish({
    name: options.name,
    type: options.type,
    protocol: options.protocol,
    port: options.port,
    host: options.host,
    txt: options.txt,
    disableIPv6: options.disableIPv6,
    probe: true
  })
  // On a name conflict found while probing, bonjour-service calls service.stop(), which
  // would send goodbyes for the name, making every peer drop the *other* holder's
  // record. Replace it: mark the record inactive (no announcement, no goodbye) and say so.
  service.stop = () => {
    service.activated = false
    service.emit(CONFLICT_EVENT)
  }
  const addresses = options.addresses
  if (addresses !== undefined) {
    const base = service.records.bind(service)
    service.records = () => [
      ...base().filter(r => r.type !== 'A' && r.type !== 'AAAA'),
      ...addresses
        .filter(a => !(options.disableIPv6 && isIP(a) === 6))
        .map(a => ({ name: service.host, type: isIP(a) === 6 ? 'AAAA' as const : 'A' as const, ttl: 120, data: a }))
    ]
  }
  return service
}

/** Why `whenAnnounced` failed. */
export type AnnounceFailure = 'conflict' | 'timeout'

/**
 * Resolves when `service` was announced; rejects with an error whose
 * `failure` is `conflict` when probing found the name in use, or `timeout`
 * after `timeoutMs`.
 */
export async function whenAnnounced (service: BonjourService, timeoutMs: number, setTimer: (fn: () => void, ms: number) => () => void): Promise<void> {
  if (service.published) return
  await new Promise<void>((resolve, reject) => {
    const finish = (failure?: AnnounceFailure): void => {
      cancel()
      service.removeListener('up', onUp)
      service.removeListener(CONFLICT_EVENT, onConflict)
      if (failure === undefined) resolve()
      else reject(Object.assign(new Error(`record ${service.name}: ${failure === 'conflict' ? 'name in use on the network' : `not announced within ${timeoutMs} ms`}`), { failure }))
    }
    const onUp = (): void => { finish() }
    const onConflict = (): void => { finish('conflict') }
    const cancel = setTimer(() => { finish('timeout') }, timeoutMs)
    service.once('up', onUp)
    service.once(CONFLICT_EVENT, onConflict)
  })
}

/** Sends goodbyes (TTL 0) for every published record; resolves once sent, or after `timeoutMs` of `clock`. */
export async function unpublishAll (bonjour: BonjourInstance, timeoutMs: number, clock: Clock): Promise<void> {
  await new Promise<void>(resolve => {
    const timer = clock.setTimeout(resolve, timeoutMs)
    bonjour.unpublishAll(() => {
      clock.clearTimeout(timer)
      resolve()
    })
  })
}

/** Closes the mDNS socket; resolves once closed, or after `timeoutMs` of `clock`. */
export async function destroy (bonjour: BonjourInstance, timeoutMs: number, clock: Clock): Promise<void> {
  await new Promise<void>(resolve => {
    const timer = clock.setTimeout(resolve, timeoutMs)
    bonjour.destroy(() => {
      clock.clearTimeout(timer)
      resolve()
    })
  })
}
