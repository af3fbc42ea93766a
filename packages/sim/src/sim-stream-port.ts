import {
  AbortError, ConnectionCaps, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, noopMetrics,
  type AbortOptions, type PortAddress, type StreamConnection, type StreamListenInit, type StreamListener, type StreamPorts, type TimerHandle
} from '@clusterfunk/core'
import { ConnectionError } from './errors.js'
import type { SimConnection } from './stream-connection.js'
import type { SimHost } from './sim-host.js'
import { checkLocal } from './sim-packet-port.js'
import type { StreamListener as NetworkListener } from './stream-network.js'

/**
 * A `SimConnection` end of a host as a `StreamConnection`. Each write is
 * one message on the network, delivered whole and in order. `end` and
 * `destroy` both close this end: the peer reads what was sent before, then
 * sees the close. What arrives passes the host's gate (held while paused,
 * dropped after a crash) and waits for the first data handler.
 */
class SimStreamConnection implements StreamConnection {
  readonly local: PortAddress
  readonly remote: PortAddress
  private readonly dataHandlers: Array<(chunk: Buffer) => void> = []
  private readonly closeHandlers: Array<(err?: Error) => void> = []
  private pending: Buffer[] = []
  private closed = false
  private closeError: Error | undefined

  constructor (private readonly host: SimHost, private readonly conn: SimConnection) {
    this.local = host.hosts.fromNetwork(conn.localAddress)
    this.remote = host.hosts.fromNetwork(conn.remoteAddress)
    conn.onMessage(bytes => {
      host.input(() => {
        const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        if (this.dataHandlers.length === 0) this.pending.push(chunk)
        for (const handler of this.dataHandlers) handler(chunk)
      })
    })
    conn.onClose(err => {
      host.input(() => {
        this.closed = true
        this.closeError = err
        for (const handler of this.closeHandlers.splice(0)) handler(err)
      })
    })
  }

  write (bytes: Uint8Array): void {
    if (this.conn.state === 'closed' || this.host.crashed) return
    this.conn.send(bytes)
  }

  end (bytes?: Uint8Array): void {
    if (bytes !== undefined) this.write(bytes)
    this.conn.close()
  }

  destroy (): void {
    this.conn.close()
  }

  onData (handler: (chunk: Buffer) => void): void {
    this.dataHandlers.push(handler)
    const pending = this.pending
    this.pending = []
    for (const chunk of pending) handler(chunk)
  }

  onClose (handler: (err?: Error) => void): void {
    if (this.closed) handler(this.closeError)
    else this.closeHandlers.push(handler)
  }
}

/**
 * The stream ports of one host: listeners with the same caps a real one
 * enforces (`ConnectionCaps`, and the idle timeout on the host's clock),
 * and connections dialed from an ephemeral port of the host.
 */
export class SimStreamPorts implements StreamPorts {
  private readonly listeners = new Set<NetworkListener>()
  private readonly connections = new Set<SimConnection>()

  constructor (private readonly host: SimHost) {}

  async listen (init: StreamListenInit, onConnection: (conn: StreamConnection) => void): Promise<StreamListener> {
    const h = this.host
    if (h.crashed) throw new ConnectionError('EPIPE', `host ${h.name} crashed`)
    checkLocal(h, init.host)
    const caps = new ConnectionCaps(init.metrics ?? noopMetrics, {
      part: init.part,
      metricPrefix: init.metricPrefix ?? `clusterfunk_${init.part}`,
      maxConnections: init.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      maxConnectionsPerAddress: init.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS
    })
    const idleTimeoutMs = init.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
    const accepted = new Set<SimConnection>()
    const network = h.hosts.networks.streams
    let port = init.port
    let listener: NetworkListener
    for (;;) {
      if (init.port === 0) port = h.ephemeralPort()
      try {
        listener = network.listen(`${h.name}:${port}`, conn => { this.accept(conn, caps, idleTimeoutMs, accepted, onConnection) })
        break
      } catch (err) {
        if (init.port === 0 && (err as ConnectionError).code === 'EADDRINUSE') continue
        throw err
      }
    }
    this.listeners.add(listener)
    let open = true
    return {
      address: { host: h.ip, port },
      get connections () { return caps.connections },
      close: async () => {
        if (!open) return
        open = false
        this.listeners.delete(listener)
        listener.close()
        for (const conn of [...accepted]) conn.close()
        caps.reset()
      }
    }
  }

  async connect (host: string, port: number, options: AbortOptions = {}): Promise<StreamConnection> {
    const h = this.host
    const { signal } = options
    if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason })
    if (h.crashed) throw new ConnectionError('EPIPE', `host ${h.name} crashed`)
    const conn = h.hosts.networks.streams.connect(`${h.name}:${h.ephemeralPort()}`, h.hosts.toNetwork(host, port))
    this.track(conn)
    return await new Promise<StreamConnection>((resolve, reject) => {
      const onAbort = (): void => {
        conn.close()
        reject(new AbortError(undefined, { cause: signal?.reason }))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      conn.onOpen(() => {
        signal?.removeEventListener('abort', onAbort)
        const wrapped = new SimStreamConnection(h, conn)
        h.input(() => { resolve(wrapped) })
      })
      conn.onClose(err => {
        signal?.removeEventListener('abort', onAbort)
        h.input(() => { reject(err ?? new ConnectionError('ECONNRESET', 'closed before it opened')) })
      })
    })
  }

  /** @internal Closes every listener and resets every connection of the host. */
  crash (): void {
    for (const l of this.listeners) l.close()
    this.listeners.clear()
    for (const conn of [...this.connections]) conn.reset()
  }

  private accept (conn: SimConnection, caps: ConnectionCaps, idleTimeoutMs: number, accepted: Set<SimConnection>, onConnection: (conn: StreamConnection) => void): void {
    const h = this.host
    this.track(conn)
    const release = caps.admit(h.hosts.fromNetwork(conn.remoteAddress).host)
    if (release === undefined) { conn.close(); return }
    accepted.add(conn)
    let idle: TimerHandle | undefined
    const rearm = (): void => {
      if (idle !== undefined) h.clock.clearTimeout(idle)
      idle = h.clock.setTimeout(() => { conn.close() }, idleTimeoutMs)
    }
    rearm()
    conn.onMessage(rearm)
    conn.onClose(() => {
      if (idle !== undefined) h.clock.clearTimeout(idle)
      accepted.delete(conn)
      release()
    })
    const wrapped = new SimStreamConnection(h, conn)
    h.input(() => { onConnection(wrapped) })
  }

  private track (conn: SimConnection): void {
    this.connections.add(conn)
    conn.onClose(() => { this.connections.delete(conn) })
  }
}
