import type { PacketHandler, PacketPort, PacketPorts, PortAddress } from '@clusterfunk/core'
import { ConnectionError } from './errors.js'
import type { PacketSocket } from './packet-network.js'
import type { SimHost } from './sim-host.js'

/** A `PacketSocket` of a host as a `PacketPort`: IPs outside, node names on the network. */
class SimPacketPort implements PacketPort {
  private handler: PacketHandler | undefined
  private open = true

  constructor (private readonly host: SimHost, private readonly socket: PacketSocket, readonly address: PortAddress, private readonly release: () => void) {
    socket.onMessage((bytes, from) => {
      if (host.isMuted(address.port)) return
      host.input(() => {
        if (!this.open) return
        // The network delivers a private copy, so the handler may own it.
        this.handler?.(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), host.hosts.fromNetwork(from))
      })
    })
  }

  send (bytes: Uint8Array, host: string, port: number): void {
    if (!this.open || this.host.crashed) return
    this.socket.send(this.host.hosts.toNetwork(host, port), bytes)
  }

  onMessage (handler: PacketHandler): void {
    this.handler = handler
  }

  onError (): void {
    // A simulated send never fails: a datagram to nowhere is dropped and counted by the network.
  }

  async close (): Promise<void> {
    this.closeNow()
  }

  closeNow (): void {
    if (!this.open) return
    this.open = false
    this.handler = undefined
    this.socket.close()
    this.release()
  }
}

/** The packet ports of one host. */
export class SimPacketPorts implements PacketPorts {
  private readonly open = new Set<SimPacketPort>()

  constructor (private readonly host: SimHost) {}

  async bind (host: string, port: number): Promise<PacketPort> {
    return this.bindNow(host, port)
  }

  /** Binds at once; throws as `bind` rejects. */
  bindNow (host: string, port: number): PacketPort {
    const h = this.host
    if (h.crashed) throw new ConnectionError('EPIPE', `host ${h.name} crashed`)
    checkLocal(h, host)
    const network = h.hosts.networks.packets
    for (;;) {
      const bound = port === 0 ? h.ephemeralPort() : port
      let socket: PacketSocket
      try {
        socket = network.bind(`${h.name}:${bound}`)
      } catch (err) {
        if (port === 0 && (err as ConnectionError).code === 'EADDRINUSE') continue
        throw err
      }
      const p = new SimPacketPort(h, socket, { host: h.ip, port: bound }, () => { this.open.delete(p) })
      this.open.add(p)
      return p
    }
  }

  /** @internal */
  crash (): void {
    for (const p of [...this.open]) p.closeNow()
  }
}

/** Throws unless `host` is the host's own IP or the wildcard. */
export function checkLocal (h: SimHost, host: string): void {
  if (host !== h.ip && host !== '0.0.0.0') throw new ConnectionError('EADDRNOTAVAIL', `${host} is not an address of host ${h.name} (${h.ip})`)
}
