import { EventEmitter } from 'node:events'
import type { AddressInfo } from 'node:net'
import { systemClock, type Clock } from '@clusterfunk/core'
import type { MdnsSocket } from '@clusterfunk/management'

/**
 * A multicast segment inside one process: every datagram sent by one of its
 * sockets reaches every bound socket of the same port (the sender included,
 * as with multicast loopback), deferred on `clock` (a later turn of the
 * event loop on real time). For tests and simulations of zeroconf: nothing
 * touches the network.
 *
 * ```ts
 * const net = new MemoryMulticastNetwork()
 * const a = new Zeroconf({ createSocket: () => net.createSocket('10.0.0.1') }, { clusterName: 'demo', nodeId: 'a', records: { swim: 7946 } })
 * ```
 */
export class MemoryMulticastNetwork {
  private readonly sockets = new Set<MemorySocket>()
  private sent = 0

  constructor (readonly clock: Clock = systemClock) {}

  /** A new socket whose datagrams appear to come from `address`. */
  createSocket (address = '127.0.0.1'): MdnsSocket {
    return new MemorySocket(this, address) as unknown as MdnsSocket
  }

  /** Datagrams sent on this network so far. */
  get datagrams (): number {
    return this.sent
  }

  /** Sockets bound and not yet closed. */
  get openSockets (): number {
    return this.sockets.size
  }

  /** @internal */
  attach (socket: MemorySocket): void {
    this.sockets.add(socket)
  }

  /** @internal */
  detach (socket: MemorySocket): void {
    this.sockets.delete(socket)
  }

  /** @internal */
  deliver (from: MemorySocket, data: Buffer, port: number): void {
    this.sent++
    for (const socket of this.sockets) {
      if (socket.boundPort !== port) continue
      const copy = Buffer.from(data)
      this.clock.defer(() => { socket.receive(copy, from.sourceAddress, from.boundPort) })
    }
  }
}

type Callback = (err?: Error | null) => void

/** One in-memory socket; implements just what multicast-dns calls. */
class MemorySocket extends EventEmitter {
  boundPort = 0
  private closed = false

  constructor (private readonly network: MemoryMulticastNetwork, readonly sourceAddress: string) {
    super()
  }

  bind (port: number, _address?: string, callback?: () => void): this {
    this.boundPort = port
    this.network.attach(this)
    this.network.clock.defer(() => {
      this.emit('listening')
      callback?.()
    })
    return this
  }

  send (msg: Buffer, offset: number, length: number, port: number, _address: string, callback?: Callback): void {
    if (this.closed) {
      this.network.clock.defer(() => callback?.(new Error('socket is closed')))
      return
    }
    this.network.deliver(this, msg.subarray(offset, offset + length), port)
    this.network.clock.defer(() => callback?.(null))
  }

  close (callback?: () => void): this {
    this.closed = true
    this.network.detach(this)
    this.network.clock.defer(() => {
      this.emit('close')
      callback?.()
    })
    return this
  }

  /** The bound address, as `dgram.Socket.address()` gives it. */
  address (): AddressInfo {
    return { address: this.sourceAddress, family: 'IPv4', port: this.boundPort }
  }

  receive (data: Buffer, address: string, port: number): void {
    if (this.closed) return
    this.emit('message', data, { address, family: 'IPv4', port, size: data.length })
  }

  addMembership (): void {}
  dropMembership (): void {}
  setMulticastTTL (ttl: number): number { return ttl }
  setMulticastLoopback (flag: boolean): boolean { return flag }
  setMulticastInterface (): void {}
}
