import type { RemoteInfo, Socket } from 'node:dgram'
import type { PacketHandler, PacketPort, PacketPorts, PortAddress } from './packet-port.js'
import { bindUdpSocket, closeUdpSocket } from './udp.js'

/** A `node:dgram` socket as a `PacketPort`. */
class UdpPort implements PacketPort {
  readonly address: PortAddress
  private handler: PacketHandler | undefined
  private errorHandler: ((err: Error) => void) | undefined
  private open = true
  private readonly from: PortAddress = { host: '', port: 0 }

  constructor (private readonly socket: Socket) {
    const a = socket.address()
    this.address = { host: a.address, port: a.port }
    socket.on('message', this.onMessageEvent)
    socket.on('error', this.onErrorEvent)
  }

  send (bytes: Uint8Array, host: string, port: number): void {
    if (!this.open) return
    this.socket.send(bytes, port, host)
  }

  onMessage (handler: PacketHandler): void {
    this.handler = handler
  }

  onError (handler: (err: Error) => void): void {
    this.errorHandler = handler
  }

  async close (): Promise<void> {
    if (!this.open) return
    this.open = false
    this.handler = undefined
    await closeUdpSocket(this.socket)
  }

  // One bound listener and one reused address object: no allocation per datagram beyond Node's own.
  private readonly onMessageEvent = (msg: Buffer, rinfo: RemoteInfo): void => {
    this.from.host = rinfo.address
    this.from.port = rinfo.port
    this.handler?.(msg, this.from)
  }

  // A failed send (say, to port 0) is reported here; it must never become an uncaught 'error'.
  private readonly onErrorEvent = (err: Error): void => {
    this.errorHandler?.(err)
  }
}

/** Real UDP: sockets bound exclusively, peers addressed by IP literal (see `bindUdpSocket`). */
export const udpPorts: PacketPorts = {
  async bind (host: string, port: number): Promise<PacketPort> {
    return new UdpPort(await bindUdpSocket(host, port))
  }
}
