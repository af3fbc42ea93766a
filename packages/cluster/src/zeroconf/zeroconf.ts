import {
  NotStartedError, Service, TimeoutError, TypedEventEmitter, eventIterator, noopMetrics, raceSignal, silentLogger, systemClock,
  type AbortOptions, type Clock, type Counter, type EventHandler, type EventIteratorOptions, type Gauge, type ListenerOptions,
  type Logger, type Metrics, type TimerHandle
} from '@clusterfunk/core'
import { DEFAULT_DISCOVER_MS, SERVICE_NAME, SERVICE_PROTOCOL } from './constants.js'
import type { IgnoreReason, ZeroconfEventType, ZeroconfEvents, ZeroconfPeer, ZeroconfStats } from './events.js'
import { resolveZeroconfInit, type ResolvedZeroconfInit, type ZeroconfInit } from './init.js'
import {
  createBonjour, destroy, publish, unpublishAll, whenAnnounced, whenReady,
  type BonjourBrowser, type BonjourInstance, type BonjourService, type MdnsEvents
} from './mdns.js'
import { encodeTxt, instanceName, judgeRecord, peerChanged, type BrowsedRecord, type MdnsSocket } from '@clusterfunk/management'
import { ZeroconfConflictError } from './errors.js'

/** What a `Zeroconf` takes from outside. Every field is optional. */
export interface ZeroconfComponents {
  logger?: Logger
  clock?: Clock
  metrics?: Metrics
  /** Makes the mDNS socket. Default: a real UDP socket made by multicast-dns. Tests pass `MemoryMulticastNetwork.createSocket`. */
  createSocket?: () => MdnsSocket
}

/** Options of `discover()`. */
export interface DiscoverOptions extends AbortOptions {
  /** How long to listen for answers (ms). Default 1 000, as clusterfunk did. */
  timeoutMs?: number
}

const CLOSE_TIMEOUT_MS = 2_000

/**
 * Zeroconf (mDNS / DNS-SD) for one node: publishes one `_clusterfunk._udp`
 * record per kind (`<cluster>_<kind>_<nodeId>`, TXT with the cluster name,
 * node id, kind, ports and protocol version) and browses continuously for
 * the records of other nodes of the same cluster, reported as `peer:found`,
 * `peer:update` and `peer:lost`. Records of other clusters, its own, and
 * anything malformed are not reported (the last are counted in `stats()`).
 * `stop()` sends goodbyes for its records, stops browsing and closes the
 * socket: a process whose zeroconf stopped exits on its own.
 */
export class Zeroconf extends Service {
  private readonly init: ResolvedZeroconfInit
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly createSocket: (() => MdnsSocket) | undefined
  private readonly emitter = new TypedEventEmitter<ZeroconfEvents>()
  private readonly found = new Map<string, ZeroconfPeer>()
  private readonly counts: ZeroconfStats = { found: 0, lost: 0, ignored: { malformed: 0, version: 0, foreign: 0 }, errors: 0 }
  private readonly ignoredCounter: Counter
  private readonly peersGauge: Gauge
  private bonjour: BonjourInstance | undefined
  private mdns: MdnsEvents | undefined
  private browser: BonjourBrowser | undefined
  private services: BonjourService[] = []
  private timer: TimerHandle | undefined
  private readonly startTimers = new Set<TimerHandle>()

  constructor (components: ZeroconfComponents, init: ZeroconfInit) {
    super()
    this.init = resolveZeroconfInit(init)
    this.clock = components.clock ?? systemClock
    this.logger = components.logger ?? silentLogger('cluster:zeroconf')
    this.createSocket = components.createSocket
    const metrics = components.metrics ?? noopMetrics
    this.ignoredCounter = metrics.counter({
      name: 'clusterfunk_cluster_zeroconf_ignored_records_total', help: 'Zeroconf records seen and not reported, by reason', labelNames: ['reason']
    })
    this.peersGauge = metrics.gauge({ name: 'clusterfunk_cluster_zeroconf_peers', help: 'Zeroconf records of other nodes of this cluster currently known' })
  }

  /** The instance names this node publishes. */
  instances (): string[] {
    const { clusterName, nodeId } = this.init
    return Object.keys(this.init.records).map(kind => instanceName({ clusterName, kind, nodeId: nodeId as string }))
  }

  /** The records of other nodes currently known, in the order they were found. */
  peers (): ZeroconfPeer[] {
    return [...this.found.values()]
  }

  /** Counts of what was found, lost, ignored and failed since construction. */
  stats (): ZeroconfStats {
    return { ...this.counts, ignored: { ...this.counts.ignored } }
  }

  addEventListener<K extends keyof ZeroconfEvents & string>(type: K, listener: EventHandler<ZeroconfEvents[K]>, options?: ListenerOptions): void {
    this.emitter.addEventListener(type, listener, options)
  }

  removeEventListener<K extends keyof ZeroconfEvents & string>(type: K, listener: EventHandler<ZeroconfEvents[K]>): void {
    this.emitter.removeEventListener(type, listener)
  }

  /** Every peer event as an async iterator (buffered from this call on); ends when `signal` fires. */
  events (options: EventIteratorOptions = {}): AsyncIterableIterator<{ type: ZeroconfEventType, detail: ZeroconfPeer }> {
    return eventIterator(this.emitter, ['peer:found', 'peer:update', 'peer:lost'], options)
  }

  /**
   * Asks the network for records now, listens for `timeoutMs` (default
   * 1 s) and returns every peer known by then, including those found
   * earlier. Rejects with `AbortError` when `signal` fires first.
   */
  async discover (options: DiscoverOptions = {}): Promise<ZeroconfPeer[]> {
    if (this.status !== 'started' || this.browser === undefined) throw new NotStartedError('zeroconf is not started')
    this.browser.update()
    const timeoutMs = options.timeoutMs ?? DEFAULT_DISCOVER_MS
    let handle: TimerHandle | undefined
    try {
      await raceSignal(new Promise<void>(resolve => { handle = this.clock.setTimeout(resolve, timeoutMs) }), options.signal)
    } finally {
      if (handle !== undefined) this.clock.clearTimeout(handle)
    }
    return this.peers()
  }

  protected async onStart (options: AbortOptions): Promise<void> {
    const init = this.init
    const { bonjour, mdns } = createBonjour({
      interface: init.interface, bind: init.bind, port: init.port, socket: this.createSocket?.()
    }, (err: Error) => { this.fail(err) })
    this.bonjour = bonjour
    this.mdns = mdns
    mdns.on('error', this.onMdnsError)
    mdns.on('warning', this.onMdnsWarning)
    await raceSignal(whenReady(mdns), options.signal)
    const browser = bonjour.find({ type: SERVICE_NAME, protocol: SERVICE_PROTOCOL })
    this.browser = browser
    browser.on('up', (s: BonjourService) => { this.onRecord(s) })
    browser.on('srv-update', (s: BonjourService) => { this.onRecord(s) })
    browser.on('txt-update', (s: BonjourService) => { this.onRecord(s) })
    browser.on('down', (s: BonjourService) => { this.onGone(s.fqdn) })
    for (const kind of Object.keys(init.records)) {
      const port = init.records[kind] as number
      const nodeId = init.nodeId as string
      this.services.push(publish(bonjour, {
        name: instanceName({ clusterName: init.clusterName, kind, nodeId }),
        type: SERVICE_NAME,
        protocol: SERVICE_PROTOCOL,
        port,
        host: init.host,
        txt: encodeTxt({ clusterName: init.clusterName, nodeId, kind, port, ports: init.records, protocolVersion: init.protocolVersion }),
        disableIPv6: init.disableIPv6,
        addresses: init.addresses
      }))
    }
    const setTimer = (fn: () => void, ms: number): () => void => {
      const h = this.clock.setTimeout(() => {
        this.startTimers.delete(h)
        fn()
      }, ms)
      this.startTimers.add(h)
      return () => {
        this.startTimers.delete(h)
        this.clock.clearTimeout(h)
      }
    }
    try {
      await raceSignal(Promise.all(this.services.map(async s => { await whenAnnounced(s, init.publishTimeoutMs, setTimer) })), options.signal)
    } catch (err) {
      const failure = (err as { failure?: string }).failure
      if (failure === 'conflict') {
        throw new ZeroconfConflictError(`a zeroconf record of node ${String(init.nodeId)} is already on the network: is another node running with this id?`, { cause: err })
      }
      if (failure !== 'timeout') throw err
      throw new TimeoutError(`zeroconf records of node ${String(init.nodeId)} were not announced within ${init.publishTimeoutMs} ms; is multicast available?`, { cause: err })
    }
    this.schedule()
    this.logger.debug('zeroconf started', { instances: this.instances(), host: init.host })
  }

  protected async onStop (): Promise<void> {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    for (const h of this.startTimers) this.clock.clearTimeout(h)
    this.startTimers.clear()
    this.browser?.stop()
    this.browser?.removeAllListeners()
    this.browser = undefined
    const bonjour = this.bonjour
    this.bonjour = undefined
    // Goodbyes only for records that were announced: a record still probing (a start that
    // failed or was aborted) may carry a name another host holds, and a goodbye would take it away.
    for (const service of this.services) {
      if (!service.published) service.activated = false
    }
    this.services = []
    if (bonjour !== undefined) {
      await unpublishAll(bonjour, CLOSE_TIMEOUT_MS, this.clock)
      await destroy(bonjour, CLOSE_TIMEOUT_MS, this.clock)
    }
    this.mdns?.removeListener('error', this.onMdnsError)
    this.mdns?.removeListener('warning', this.onMdnsWarning)
    this.mdns = undefined
    this.found.clear()
    this.peersGauge.set(0)
    this.logger.debug('zeroconf stopped')
  }

  private schedule (): void {
    this.timer = this.clock.setTimeout(() => {
      this.browser?.update()
      this.browser?.expire()
      if (this.browser !== undefined) this.schedule()
    }, this.init.queryIntervalMs)
  }

  private onRecord (record: BonjourService): void {
    const verdict = judgeRecord(record as BrowsedRecord, this.init.clusterName, this.init.nodeId)
    const key = record.fqdn
    const known = this.found.get(key)
    if (verdict.kind === 'peer') {
      this.found.set(key, verdict.peer)
      this.peersGauge.set(this.found.size)
      if (known === undefined) {
        this.counts.found++
        this.emitter.emit('peer:found', verdict.peer)
      } else if (peerChanged(known, verdict.peer)) {
        this.emitter.emit('peer:update', verdict.peer)
      }
      return
    }
    if (verdict.kind === 'ignored') this.ignore(verdict.reason, verdict.detail, record.name)
    if (known !== undefined) this.onGone(key)
  }

  private onGone (fqdn: string): void {
    const peer = this.found.get(fqdn)
    if (peer === undefined) return
    this.found.delete(fqdn)
    this.peersGauge.set(this.found.size)
    this.counts.lost++
    this.emitter.emit('peer:lost', peer)
  }

  private ignore (reason: IgnoreReason, detail: string, name: unknown): void {
    this.counts.ignored[reason]++
    this.ignoredCounter.inc({ reason })
    this.logger.debug('zeroconf record ignored', { reason, detail, name: String(name) })
  }

  private fail (err: Error): void {
    this.counts.errors++
    this.logger.warn('zeroconf mDNS error', { err: err.message })
  }

  private readonly onMdnsError = (err: unknown): void => { this.fail(err instanceof Error ? err : new Error(String(err))) }
  private readonly onMdnsWarning = (err: unknown): void => {
    this.logger.debug('zeroconf mDNS warning', { err: err instanceof Error ? err.message : String(err) })
  }
}
