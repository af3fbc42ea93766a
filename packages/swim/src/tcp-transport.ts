import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { DecodeError, TimeoutError, type Clock, type Logger } from '@clusterfunk/core'
import { StreamError } from './errors.js'
import { encodeFrame, FrameError, FrameReader, framePlaintext, splitPlaintext, STREAM_PUSH_PULL, type StreamKind } from './frames.js'
import { formatAddress, parseAddress } from './address.js'
import type { Freshness } from './freshness.js'
import { SealVersionError } from './keyring.js'
import type { StaleReason } from './replay-guard.js'
import type { Opened, Sealer } from './sealer.js'
import type { DropReason, SwimMetrics } from './swim-metrics.js'

/** A request frame as the server hands it over, and a reply as the handler returns it. */
export interface StreamFrame {
  kind: StreamKind
  body: Uint8Array
}

/** What the TCP side needs from the node. */
export interface TcpTransportInit {
  clock: Clock
  sealer: Sealer
  metrics: SwimMetrics
  logger: Logger
  /** Bound on one exchange, connect to close, both directions. */
  timeoutMs: () => number
  /** Largest frame accepted (sealed payload bytes). */
  maxFrameBytes: number
  /** Inbound connections served at once; more are closed at once (counted as busy). */
  maxConnections: number
  /** Inbound push/pull exchanges in progress at once (memberlist: 128); more are refused. */
  maxPushPulls: number
  /**
   * Decides whether a sealed frame is fresh (`local` is the address the
   * peer dialed, empty for a reply read by this side); returns why not.
   */
  admit: (freshness: Freshness, local: string) => StaleReason | undefined
  /**
   * Serves one request; returns the reply, or undefined for none. Throws
   * `DecodeError` for a body that does not decode (the stream is dropped).
   */
  onRequest: (request: StreamFrame) => StreamFrame | undefined
}

/**
 * The TCP half of the transport: a server that answers one request frame
 * per connection, and a client that runs one exchange per connection. Both
 * are bounded in time (`timeoutMs`), frame size and concurrency; bytes that
 * do not frame, open or decode close the connection and are counted.
 */
export class TcpTransport {
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()
  private inbound = 0
  private pushPulls = 0

  constructor (private readonly init: TcpTransportInit) {}

  /** Listens on `host:port` (0 = any free port) and returns the port. */
  async listen (host: string, port: number): Promise<number> {
    const server = createServer({ noDelay: true }, (socket) => { this.serve(socket) })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host, port, exclusive: true }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', (err) => { this.init.logger.warn('tcp server error', { err: err.message }) })
    this.server = server
    const address = server.address()
    return typeof address === 'object' && address !== null ? address.port : port
  }

  /**
   * Sends one request frame to `to` and, when `expect` is given, resolves
   * with the body of the reply of that kind. Rejects with `StreamError`
   * (or `TimeoutError`) when anything goes wrong.
   */
  async request (to: string, request: StreamFrame, expect: StreamKind | undefined, timeoutMs = this.init.timeoutMs()): Promise<Uint8Array | undefined> {
    const target = parseAddress(to)
    if (target === undefined) throw new StreamError(`not a host:port address: ${to}`)
    const { sealer, metrics, clock } = this.init
    const frame = encodeFrame(sealer.seal(framePlaintext(request.kind, request.body), to))
    return await new Promise<Uint8Array | undefined>((resolve, reject) => {
      const socket = createConnection({ host: target.host, port: target.port, noDelay: true })
      this.sockets.add(socket)
      const reader = new FrameReader(this.init.maxFrameBytes)
      let settled = false
      const finish = (err: Error | undefined, body?: Uint8Array): void => {
        if (settled) return
        settled = true
        clock.clearTimeout(timer)
        socket.destroy()
        this.sockets.delete(socket)
        if (err !== undefined) reject(err)
        else resolve(body)
      }
      const timer = clock.setTimeout(() => { finish(new TimeoutError(`stream exchange with ${to} took longer than ${timeoutMs} ms`)) }, timeoutMs)
      timer.unref?.()
      socket.on('error', (err) => { finish(new StreamError(`stream to ${to} failed: ${err.message}`, { cause: err })) })
      socket.on('close', () => { finish(expect === undefined ? undefined : new StreamError(`${to} closed the stream without a reply`)) })
      socket.on('connect', () => {
        metrics.sent('tcp', frame.length)
        if (expect === undefined) socket.end(frame, () => { finish(undefined) })
        else socket.write(frame)
      })
      socket.on('data', (chunk: Buffer) => {
        metrics.received('tcp', chunk.length)
        let stage: DropReason = 'decode'
        try {
          const first = reader.push(chunk)[0]
          if (first === undefined) return
          stage = 'decrypt'
          const opened = sealer.open(first)
          const stale = opened.freshness === undefined ? undefined : this.init.admit(opened.freshness, '')
          if (stale !== undefined) {
            metrics.drop('tcp', stale)
            finish(new StreamError(`reply from ${to} dropped: ${stale}`))
            return
          }
          stage = 'decode'
          const reply = splitPlaintext(opened.payload)
          if (reply.kind !== expect) throw new DecodeError(`expected a reply of kind ${String(expect)}, got ${reply.kind}`)
          finish(undefined, reply.body)
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err
          metrics.drop('tcp', err instanceof FrameError ? err.reason : err instanceof SealVersionError ? 'version' : stage)
          finish(new StreamError(`bad reply from ${to}: ${err.message}`, { cause: err }))
        }
      })
    })
  }

  /** Closes the server and every open connection, both directions. */
  async close (): Promise<void> {
    const server = this.server
    this.server = undefined
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
    if (server === undefined) return
    await new Promise<void>(resolve => { server.close(() => { resolve() }) })
  }

  private serve (socket: Socket): void {
    const { metrics, clock, sealer } = this.init
    if (this.server === undefined || this.inbound >= this.init.maxConnections) {
      metrics.drop('tcp', 'busy')
      socket.destroy()
      return
    }
    this.inbound++
    this.sockets.add(socket)
    const reader = new FrameReader(this.init.maxFrameBytes)
    let done = false
    let countedPushPull = false
    const close = (reason?: DropReason): void => {
      if (done) return
      done = true
      if (reason !== undefined) metrics.drop('tcp', reason)
      clock.clearTimeout(timer)
      this.inbound--
      if (countedPushPull) this.pushPulls--
      this.sockets.delete(socket)
      socket.destroy()
    }
    const timer = clock.setTimeout(() => { close('timeout') }, this.init.timeoutMs())
    timer.unref?.()
    socket.on('error', () => { close() })
    socket.on('close', () => { close(reader.pending > 0 ? 'truncated' : undefined) })
    socket.on('data', (chunk: Buffer) => {
      if (done) return
      metrics.received('tcp', chunk.length)
      let frames: Buffer[]
      try {
        frames = reader.push(chunk)
      } catch (err) {
        if (!(err instanceof FrameError)) throw err
        close(err.reason)
        return
      }
      const first = frames[0]
      if (first === undefined) return
      if (frames.length > 1) { close('unexpected'); return }
      socket.pause()
      let opened: Opened
      let request: StreamFrame
      try {
        opened = sealer.open(first)
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err
        close(err instanceof SealVersionError ? 'version' : 'decrypt')
        return
      }
      const freshness = opened.freshness
      if (freshness !== undefined) {
        const stale = this.init.admit(freshness, formatAddress(socket.localAddress ?? '', socket.localPort ?? 0))
        if (stale !== undefined) { close(stale); return }
      }
      try {
        request = splitPlaintext(opened.payload)
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err
        close('decode')
        return
      }
      if (request.kind === STREAM_PUSH_PULL) {
        if (this.pushPulls >= this.init.maxPushPulls) { close('busy'); return }
        this.pushPulls++
        countedPushPull = true
      }
      let reply: StreamFrame | undefined
      try {
        reply = this.init.onRequest(request)
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err
        close('decode')
        return
      }
      if (reply === undefined) { socket.end(() => { close() }); return }
      const out = encodeFrame(sealer.seal(framePlaintext(reply.kind, reply.body), freshness?.sender ?? ''))
      metrics.sent('tcp', out.length)
      socket.end(out, () => { close() })
    })
  }
}
