import net from 'node:net'
import tls from 'node:tls'
import type { Logger } from '@clusterfunk/core'
import { RespConnection } from './resp-connection.js'
import type { RespLimits } from './resp-limits.js'
import type { AnyMachineNode } from './machine-node.js'

/**
 * A service sharing the client port (uhaha's AddService): `sniff` sees the
 * first bytes of a connection and claims it; `accept` gets the socket with
 * those bytes put back. RESP is the default when no service claims it.
 */
export interface ServiceHandler {
  readonly name: string
  /** The first chunk of a connection; true claims it. */
  sniff: (firstBytes: Buffer) => boolean
  accept: (socket: net.Socket) => void
  /** Releases what the service holds (called when the node stops). */
  close?: () => void
}

export interface RespServerInit {
  host: string
  port: number
  tls: { cert: Buffer, key: Buffer } | undefined
  maxConnections: number
  limits: Partial<RespLimits>
  services: ServiceHandler[]
  logger: Logger
}

/** The client port: plain TCP or TLS, RESP by default, other services by their first bytes. */
export class RespServer {
  private server: net.Server | undefined
  private readonly sockets = new Set<net.Socket>()
  port = 0

  constructor (private readonly node: AnyMachineNode, private readonly init: RespServerInit) {}

  async start (): Promise<void> {
    const onSocket = (socket: net.Socket): void => { this.onSocket(socket) }
    const server = this.init.tls === undefined
      ? net.createServer({ allowHalfOpen: true }, onSocket)
      : tls.createServer({ cert: this.init.tls.cert, key: this.init.tls.key, allowHalfOpen: true }, onSocket)
    server.maxConnections = this.init.maxConnections
    server.on('tlsClientError', () => { /* a failed handshake: the socket is already gone */ })
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.init.port, this.init.host, () => { server.off('error', reject); resolve() })
    })
    server.on('error', (err) => { this.init.logger.warn('client server error', { error: String(err) }) })
    const addr = server.address()
    this.port = typeof addr === 'object' && addr !== null ? addr.port : this.init.port
  }

  async stop (): Promise<void> {
    const server = this.server
    this.server = undefined
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
    for (const s of this.init.services) s.close?.()
    if (server !== undefined) await new Promise<void>(resolve => { server.close(() => { resolve() }) })
  }

  private onSocket (socket: net.Socket): void {
    this.sockets.add(socket)
    socket.on('close', () => { this.sockets.delete(socket) })
    socket.on('error', () => {})
    socket.setNoDelay(true)
    if (this.init.services.length === 0) {
      this.resp(socket)
      return
    }
    socket.once('data', (first: Buffer) => {
      socket.pause()
      socket.unshift(first)
      const service = this.init.services.find(s => { try { return s.sniff(first) } catch { return false } })
      if (service === undefined) this.resp(socket)
      else service.accept(socket)
      socket.resume()
    })
  }

  private resp (socket: net.Socket): void {
    const conn = new RespConnection(this.node, socket, this.init.limits)
    conn.open()
  }
}
