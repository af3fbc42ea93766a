import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { AbortOptions } from './abort.js'
import { ClusterfunkError, InvalidConfigError, NotStartedError } from './errors.js'
import { silentLogger, type Logger } from './logger.js'
import { ConnectionCaps } from './connection-caps.js'
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS } from './constants.js'
import { noopMetrics, type Metrics } from './metrics.js'
import { Service } from './startable.js'

/** What a `ConnectionGuard` needs from outside. */
export interface ConnectionGuardComponents {
  logger?: Logger
  metrics?: Metrics
}

/** Options of a `ConnectionGuard`. */
export interface ConnectionGuardInit {
  /** What listens, for errors, logs and metrics: `'raft'`, `'management'`. */
  part: string
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string
  /** Port; 0 (the default) takes a free one, see `address()`. */
  port?: number
  /** Most connections open at once; more are closed on accept and counted. Default 1 024. */
  maxConnections?: number
  /** Most connections open at once from one remote address. Default 128. */
  maxConnectionsPerAddress?: number
  /** A connection with no byte in either direction for this long is closed (ms). Default 120 000. */
  idleTimeoutMs?: number
  /** Prefix of the metric series, e.g. `clusterfunk_raft_transport`. Default `clusterfunk_<part>`. */
  metricPrefix?: string
}

/** The port a part asked for is taken; the message names the part and the address. */
export class PortInUseError extends ClusterfunkError {
  static readonly code = 'ERR_PORT_IN_USE'
  readonly part: string
  readonly address: string
  constructor (part: string, address: string, options?: ErrorOptions) {
    super(`the ${part} port ${address} is already in use; pick another port or stop what holds it`, PortInUseError.code, options)
    this.name = 'PortInUseError'
    this.part = part
    this.address = address
  }
}

/** Where a started guard listens. */
export interface GuardAddress {
  host: string
  port: number
}

/**
 * The front door of a TCP listener that faces the network: it accepts
 * connections, closes those beyond a total and a per-address cap, closes
 * connections idle for longer than `idleTimeoutMs`, and hands every socket it
 * keeps to `onConnection` (a gRPC server's connection injector, an HTTP
 * server's `emit('connection')`). Refusals are counted by reason in
 * `<prefix>_connections_refused_total{reason}` and the open connections are
 * a gauge, so a flood of idle connections costs a bounded number of file
 * descriptors and is visible. `stop()` stops listening and destroys every
 * socket still open; stop the server that was handed the sockets first when
 * its calls should end gracefully.
 */
export class ConnectionGuard extends Service {
  private readonly logger: Logger
  private readonly part: string
  private readonly host: string
  private readonly port: number
  private readonly maxConnections: number
  private readonly maxPerAddress: number
  private readonly idleTimeoutMs: number
  private readonly caps: ConnectionCaps
  private readonly onConnection: (socket: Socket) => void
  private readonly sockets = new Set<Socket>()
  private server?: Server
  private bound?: GuardAddress

  /** @throws InvalidConfigError for a bad port, host or limit */
  constructor (components: ConnectionGuardComponents, init: ConnectionGuardInit, onConnection: (socket: Socket) => void) {
    super()
    this.part = init.part
    this.host = init.host ?? '127.0.0.1'
    this.port = init.port ?? 0
    this.maxConnections = init.maxConnections ?? DEFAULT_MAX_CONNECTIONS
    this.maxPerAddress = init.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS
    this.idleTimeoutMs = init.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
    if (this.host === '') throw new InvalidConfigError('host', 'must be an address to listen on, such as 127.0.0.1')
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 65_535) throw new InvalidConfigError('port', 'must be an integer in 0..65535')
    for (const [option, value] of [['maxConnections', this.maxConnections], ['maxConnectionsPerAddress', this.maxPerAddress], ['idleTimeoutMs', this.idleTimeoutMs]] as const) {
      if (!Number.isInteger(value) || value <= 0) throw new InvalidConfigError(option, 'must be a positive integer')
    }
    this.onConnection = onConnection
    this.logger = components.logger ?? silentLogger(`${this.part}:listener`)
    const prefix = init.metricPrefix ?? `clusterfunk_${this.part}`
    const metrics = components.metrics ?? noopMetrics
    this.caps = new ConnectionCaps(metrics, { part: this.part, metricPrefix: prefix, maxConnections: this.maxConnections, maxConnectionsPerAddress: this.maxPerAddress })
  }

  /** Connections refused, by reason. */
  get refused (): { total: number, perAddress: number } {
    return this.caps.refused
  }

  /** Connections open now. */
  get connections (): number {
    return this.sockets.size
  }

  /** Where the guard listens. @throws NotStartedError when not started */
  address (): GuardAddress {
    if (this.bound === undefined) throw new NotStartedError(`the ${this.part} listener is not started`)
    return { ...this.bound }
  }

  protected async onStart (_options: AbortOptions): Promise<void> {
    const server = createServer({ noDelay: true, pauseOnConnect: false }, socket => { this.accept(socket) })
    this.server = server
    server.on('error', err => { this.logger.warn('listener error', { error: err.message }) })
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        const address = `${this.host}:${this.port}`
        reject(err.code === 'EADDRINUSE' ? new PortInUseError(this.part, address, { cause: err }) : err)
      }
      server.once('error', onError)
      server.listen({ host: this.host, port: this.port, exclusive: true }, () => {
        server.off('error', onError)
        resolve()
      })
    })
    const { port } = server.address() as AddressInfo
    this.bound = { host: this.host, port }
  }

  protected async onStop (): Promise<void> {
    const server = this.server
    this.server = undefined
    this.bound = undefined
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
    this.caps.reset()
    if (server === undefined) return
    await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    // 'close' comes before libuv has released the listening handle (close callbacks run after the check
    // phase): one loop turn later it is gone, so a stopped guard holds nothing and its port is free.
    await new Promise<void>(resolve => { setImmediate(() => { setImmediate(resolve) }) })
  }

  private accept (socket: Socket): void {
    const release = this.caps.admit(socket.remoteAddress ?? '')
    if (release === undefined) { socket.destroy(); return }
    this.sockets.add(socket)
    socket.setTimeout(this.idleTimeoutMs, () => { socket.destroy() })
    socket.once('close', () => {
      if (this.sockets.delete(socket)) release()
    })
    // A reset before the owner attached its handlers must not become an uncaught 'error'.
    socket.on('error', () => { socket.destroy() })
    try {
      this.onConnection(socket)
    } catch (err) {
      this.logger.warn('connection handler threw', { error: err instanceof Error ? err.message : String(err) })
      socket.destroy()
    }
  }
}
