import { DecodeError, type Logger, type PacketPort, type PacketPorts, type PortAddress } from '@clusterfunk/core'
import { formatAddress, parseAddress } from './address.js'
import { decodePacket, MAX_PACKET_BYTES } from './codec.js'
import type { SimpleMessage } from './messages.js'
import type { Freshness } from './freshness.js'
import { SealVersionError } from './keyring.js'
import type { StaleReason } from './replay-guard.js'
import type { Opened, Sealer } from './sealer.js'
import type { SwimMetrics } from './swim-metrics.js'

/** What the UDP side needs from the node. */
export interface UdpTransportInit {
  /** Where the socket comes from (`udpPorts`, or a simulated host's). */
  packets: PacketPorts
  sealer: Sealer
  metrics: SwimMetrics
  logger: Logger
  /** Largest datagram accepted (sealed size); larger ones are dropped as oversize. */
  maxPacketBytes: number
  /**
   * Decides whether a sealed datagram is fresh (`local` is this socket's
   * bound address); returns why not, or undefined. Runs before decoding.
   */
  admit: (freshness: Freshness, local: string) => StaleReason | undefined
  /** Called with the messages of every datagram that opened, was fresh and decoded. */
  onPacket: (from: string, messages: SimpleMessage[]) => void
}

/**
 * The UDP half of the transport: one packet port, every datagram sealed on
 * the way out and opened, decoded and checked on the way in. Anything that
 * does not open or decode is dropped and counted by reason, never thrown.
 */
export class UdpTransport {
  private socket: PacketPort | undefined
  private local = ''

  constructor (private readonly init: UdpTransportInit) {}

  /** Binds `host:port` exclusively; rejects on a bind error. */
  async bind (host: string, port: number): Promise<number> {
    const socket = await this.init.packets.bind(host, port)
    socket.onMessage(this.onMessage)
    socket.onError((err) => {
      this.init.metrics.sendError()
      this.init.logger.debug('udp socket error', { err: err.message })
    })
    this.socket = socket
    this.local = formatAddress(socket.address.host, socket.address.port)
    return socket.address.port
  }

  /** Seals (for `to`) and sends one encoded packet to `to`; unparseable addresses and send errors are counted. */
  send (to: string, bytes: Uint8Array): void {
    const socket = this.socket
    const target = parseAddress(to)
    if (socket === undefined || target === undefined) {
      this.init.metrics.sendError()
      return
    }
    const sealed = this.init.sealer.seal(bytes, to)
    this.init.metrics.sent('udp', sealed.length)
    socket.send(sealed, target.host, target.port)
  }

  async close (): Promise<void> {
    const socket = this.socket
    this.socket = undefined
    await socket?.close()
  }

  private readonly onMessage = (msg: Buffer, from: PortAddress): void => {
    const { metrics, sealer } = this.init
    metrics.received('udp', msg.length)
    if (msg.length === 0) { metrics.drop('udp', 'empty'); return }
    if (msg.length > this.init.maxPacketBytes) { metrics.drop('udp', 'oversize'); return }
    let opened: Opened
    try {
      opened = sealer.open(msg)
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err
      metrics.drop('udp', err instanceof SealVersionError ? 'version' : 'decrypt')
      return
    }
    if (opened.freshness !== undefined) {
      const stale = this.init.admit(opened.freshness, this.local)
      if (stale !== undefined) { metrics.drop('udp', stale); return }
    }
    let messages: SimpleMessage[]
    try {
      messages = decodePacket(opened.payload, MAX_PACKET_BYTES)
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err
      metrics.drop('udp', 'decode')
      return
    }
    this.init.onPacket(formatAddress(from.host, from.port), messages)
  }
}
