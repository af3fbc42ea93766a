import { createConnection, type Socket } from 'node:net'
import { AbortError } from './errors.js'
import { ConnectionGuard } from './connection-guard.js'
import { DEFAULT_MAX_WRITE_BUFFER_BYTES } from './constants.js'
import type { AbortOptions } from './abort.js'
import type { PortAddress } from './packet-port.js'
import { StreamOverflowError, type StreamConnection, type StreamListenInit, type StreamListener, type StreamPorts } from './stream-port.js'

/** A `node:net` socket as a `StreamConnection`. */
class TcpConnection implements StreamConnection {
  readonly local: PortAddress
  readonly remote: PortAddress
  private closed = false
  private closeError: Error | undefined

  constructor (private readonly socket: Socket, private readonly maxWriteBufferBytes: number) {
    this.local = { host: socket.localAddress ?? '', port: socket.localPort ?? 0 }
    this.remote = { host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }
    socket.on('error', (err) => { this.closeError ??= err })
    socket.once('close', () => { this.closed = true })
  }

  write (bytes: Uint8Array): void {
    if (this.closed || this.socket.destroyed) return
    this.socket.write(bytes)
    this.checkBound()
  }

  end (bytes?: Uint8Array): void {
    if (this.closed || this.socket.destroyed) return
    if (bytes === undefined) this.socket.end()
    else this.socket.end(bytes)
    this.checkBound()
  }

  destroy (): void {
    this.socket.destroy()
  }

  onData (handler: (chunk: Buffer) => void): void {
    this.socket.on('data', handler)
  }

  onClose (handler: (err?: Error) => void): void {
    if (this.closed) { handler(this.closeError); return }
    this.socket.once('close', () => { handler(this.closeError) })
  }

  private checkBound (): void {
    if (this.socket.writableLength > this.maxWriteBufferBytes) this.socket.destroy(new StreamOverflowError(this.maxWriteBufferBytes))
  }
}

/** Real TCP: listeners behind a `ConnectionGuard` (caps, idle timeout), connections with Nagle off and bounded writes. */
export const tcpPorts: StreamPorts = {
  async listen (init: StreamListenInit, onConnection: (conn: StreamConnection) => void): Promise<StreamListener> {
    const guard = new ConnectionGuard({ ...(init.metrics === undefined ? {} : { metrics: init.metrics }) }, {
      part: init.part,
      host: init.host,
      port: init.port,
      ...(init.maxConnections === undefined ? {} : { maxConnections: init.maxConnections }),
      ...(init.maxConnectionsPerAddress === undefined ? {} : { maxConnectionsPerAddress: init.maxConnectionsPerAddress }),
      ...(init.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: init.idleTimeoutMs }),
      ...(init.metricPrefix === undefined ? {} : { metricPrefix: init.metricPrefix })
    }, (socket) => { onConnection(new TcpConnection(socket, DEFAULT_MAX_WRITE_BUFFER_BYTES)) })
    await guard.start()
    const address = guard.address()
    return {
      address,
      get connections () { return guard.connections },
      close: async () => { await guard.stop() }
    }
  },

  async connect (host: string, port: number, options: AbortOptions = {}): Promise<StreamConnection> {
    const { signal } = options
    if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason })
    return await new Promise<StreamConnection>((resolve, reject) => {
      const socket = createConnection({ host, port, noDelay: true })
      const onAbort = (): void => {
        socket.destroy()
        reject(new AbortError(undefined, { cause: signal?.reason }))
      }
      const onError = (err: Error): void => {
        signal?.removeEventListener('abort', onAbort)
        socket.destroy()
        reject(err)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      socket.once('error', onError)
      socket.once('connect', () => {
        signal?.removeEventListener('abort', onAbort)
        socket.off('error', onError)
        resolve(new TcpConnection(socket, DEFAULT_MAX_WRITE_BUFFER_BYTES))
      })
    })
  }
}
