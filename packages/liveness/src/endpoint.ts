import {
  InvalidConfigError, NotStartedError, Service, noopMetrics, silentLogger, systemClock, udpPorts,
  type Clock, type Counter, type Logger, type Metrics, type PacketPort, type PacketPorts, type PortAddress
} from '@clusterfunk/core'
import { CheckerWindows } from './checker-windows.js'
import { DEFAULT_HOST, DEFAULT_MAX_CHECKERS, DEFAULT_MAX_PROBE_AGE_MS } from './constants.js'
import { DropCounter, type DropCounts } from './drops.js'
import type { NodeAddress } from './events.js'
import { checkBindHost, checkInteger, keyBytes, nodeIdBytes, type LivenessKey } from './options.js'
import { KIND_PROBE, KIND_REPLY, createPacketView, decodePacket, sealPacket, verifyPacket, writeKind } from './packet.js'

/** What the endpoint takes from outside. Every field is optional. */
export interface LivenessEndpointComponents {
  /** Default `systemClock`; its wall clock judges the age of keyed probes. */
  clock?: Clock
  /** Where its socket comes from. Default `udpPorts` (real UDP); a simulation passes its host's. */
  packets?: PacketPorts
  logger?: Logger
  metrics?: Metrics
}

/** Options of the endpoint. */
export interface LivenessEndpointInit {
  /** The id this node answers for (1..127 UTF-8 bytes). Required. */
  nodeId: string
  /** Address to bind. Default `127.0.0.1`. */
  host?: string
  /** UDP port to bind; 0 (the default) picks a free one — read it from `address()`. */
  port?: number
  /** Shared secret (≥ 16 bytes): probes must carry its HMAC and be fresh, replies carry one. Default: none. */
  key?: LivenessKey
  /** With a key: largest gap between a probe's send time and this node's wall clock (ms), 1 000..600 000. Default 30 000. */
  maxProbeAgeMs?: number
}

/** Counts of an endpoint's traffic. */
export interface LivenessEndpointStats {
  replies: number
  dropped: DropCounts
}

/**
 * The responder every node runs: answers valid probes for its own node id
 * with a reply that echoes the nonce (authenticated when a key is set), and
 * drops and counts everything else. Holds one UDP socket between `start()`
 * and `stop()`; the socket keeps the process alive like any server would.
 */
export class LivenessEndpoint extends Service {
  readonly nodeId: string
  private readonly idBytes: Buffer
  private readonly host: string
  private readonly port: number
  private readonly key: Buffer | undefined
  private readonly logger: Logger
  private readonly drops: DropCounter
  private readonly replyCounter: Counter
  private readonly view = createPacketView()
  private readonly clock: Clock
  private readonly windows: CheckerWindows
  private readonly packets: PacketPorts
  private socket: PacketPort | undefined
  private bound: NodeAddress | undefined
  private replies = 0

  constructor (components: LivenessEndpointComponents, init: LivenessEndpointInit) {
    super()
    if (typeof init !== 'object' || init === null) throw new InvalidConfigError('nodeId', 'is required')
    this.idBytes = nodeIdBytes(init.nodeId, m => new InvalidConfigError('nodeId', m))
    this.nodeId = init.nodeId
    this.host = init.host ?? DEFAULT_HOST
    checkBindHost('host', this.host)
    this.port = init.port ?? 0
    checkInteger('port', this.port, 0, 65535)
    this.key = keyBytes('key', init.key)
    const maxAgeMs = init.maxProbeAgeMs ?? DEFAULT_MAX_PROBE_AGE_MS
    checkInteger('maxProbeAgeMs', maxAgeMs, 1000, 600_000)
    this.windows = new CheckerWindows({ maxAgeMs, maxCheckers: DEFAULT_MAX_CHECKERS })
    this.clock = components.clock ?? systemClock
    this.packets = components.packets ?? udpPorts
    this.logger = components.logger ?? silentLogger('liveness:endpoint')
    const metrics = components.metrics ?? noopMetrics
    this.drops = new DropCounter(metrics, 'clusterfunk_liveness_endpoint_dropped_packets_total', 'Datagrams the liveness endpoint dropped, by reason')
    this.replyCounter = metrics.counter({ name: 'clusterfunk_liveness_endpoint_replies_total', help: 'Probes the liveness endpoint answered' })
  }

  /** The bound address (with the real port when 0 was asked). Throws `NotStartedError` when not started. */
  address (): NodeAddress {
    if (this.bound === undefined) throw new NotStartedError('the liveness endpoint is not started')
    return { ...this.bound }
  }

  /** Counts since construction. */
  stats (): LivenessEndpointStats {
    return { replies: this.replies, dropped: this.drops.snapshot() }
  }

  protected async onStart (): Promise<void> {
    const socket = await this.packets.bind(this.host, this.port)
    this.socket = socket
    socket.onMessage(this.onMessage)
    socket.onError(this.onError)
    this.bound = { ...socket.address }
    this.logger.debug('listening', { nodeId: this.nodeId, ...this.bound })
  }

  protected async onStop (): Promise<void> {
    const socket = this.socket
    this.socket = undefined
    this.bound = undefined
    await socket?.close()
  }

  // One bound handler for every datagram: no per-packet closure.
  private readonly onMessage = (msg: Buffer, rinfo: PortAddress): void => {
    const view = this.view
    const reason = decodePacket(msg, view)
    if (reason !== undefined) { this.drops.drop(reason); return }
    if (view.kind !== KIND_PROBE) { this.drops.drop('kind'); return }
    if (this.key !== undefined && !verifyPacket(msg, view, this.key)) { this.drops.drop('auth'); return }
    const idLen = view.idEnd - view.idStart
    if (idLen !== this.idBytes.length || this.idBytes.compare(msg, view.idStart, view.idEnd) !== 0) {
      this.drops.drop('wrong-node')
      return
    }
    if (this.key !== undefined) {
      // Authentic is not enough: a captured probe sent again must get no answer (no reflection).
      const stale = this.windows.accept(`${view.checkerHi}:${view.checkerLo}`, view.sentAtMs, this.clock.wallNow())
      if (stale !== undefined) { this.drops.drop(stale); return }
    }
    // The datagram is ours: turn it into the reply in place, never larger
    // than the probe. A keyed reply echoes the freshness fields under a new
    // mac; an unkeyed one ends before the mac.
    writeKind(msg, KIND_REPLY)
    const length = sealPacket(msg, this.key)
    this.socket?.send(msg.subarray(0, length), rinfo.host, rinfo.port)
    this.replies++
    this.replyCounter.inc()
  }

  private readonly onError = (err: Error): void => {
    // A failed send (say, to port 0) must not take the node down.
    this.logger.warn('socket error', { err: err.message })
  }
}
