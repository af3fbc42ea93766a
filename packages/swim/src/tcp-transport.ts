import {
  DecodeError, TimeoutError, type Clock, type Counter, type Labels, type Logger, type Metrics, type StreamConnection, type StreamListener, type StreamPorts
} from '@clusterfunk/core'
import { StreamError } from './errors.js'
import { STREAM_PUSH_PULL, type StreamKind } from './frames.js'
import { MAX_PACKET_BYTES } from './codec.js'
import { formatAddress, parseAddress } from './address.js'
import type { Freshness } from './freshness.js'
import type { StaleReason } from './replay-guard.js'
import type { Sealer } from './sealer.js'
import { checkHead, encodeStreamMessage, StreamDropError, StreamReader, type StreamHead } from './stream-message.js'
import type { DropReason, RefusalReason, SwimMetrics } from './swim-metrics.js'

/** A request frame as the server hands it over, and a reply as the handler returns it. */
export interface StreamFrame {
  kind: StreamKind
  body: Uint8Array
}

/** What the TCP side needs from the node. */
export interface TcpTransportInit {
  /** Where the listener and connections come from (`tcpPorts`, or a simulated host's). */
  streams: StreamPorts
  clock: Clock
  sealer: Sealer
  metrics: SwimMetrics
  /** Where the listener's own series go (`clusterfunk_swim_tcp_connections_*`). */
  metricsSink: Metrics
  logger: Logger
  /** Bound on one exchange, connect to close, both directions. */
  timeoutMs: () => number
  /** Inbound connections open at once; more are closed on accept (counted as busy). */
  maxConnections: number
  /** Inbound connections open at once from one remote address; more are closed on accept (counted as busy). */
  maxConnectionsPerAddress: number
  /** An inbound connection with no byte either way for this long is closed (ms). */
  idleTimeoutMs: number
  /**
   * Inbound exchanges with a large body (every push/pull, broadcasts over a
   * datagram's size) in progress at once (memberlist: 128); more are
   * refused after the head, before the body is read.
   */
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
 * The TCP half of the transport: a listener with connection caps and an
 * idle timeout (a `ConnectionGuard` on real ports) that answers one request per connection,
 * and a client that runs one exchange per connection. Both are bounded in
 * time (`timeoutMs`), message size (per kind, see `MAX_STREAM_BODY_BYTES`)
 * and concurrency, and read a message's head (authenticated, with a
 * keyring) before its body; bytes that do not frame, open or decode close
 * the connection and are counted.
 */
export class TcpTransport {
  private listener: StreamListener | undefined
  private readonly sockets = new Set<StreamConnection>()
  private readonly dialing = new Set<AbortController>()
  private closed = false
  private pushPulls = 0

  constructor (private readonly init: TcpTransportInit) {}

  /**
   * Listens on `host:port` (0 = any free port) and returns the port.
   * @throws PortInUseError (part `swim`) when the port is taken
   */
  async listen (host: string, port: number): Promise<number> {
    const { metrics, metricsSink } = this.init
    this.closed = false
    const listener = await this.init.streams.listen({
      part: 'swim',
      host,
      port,
      maxConnections: this.init.maxConnections,
      maxConnectionsPerAddress: this.init.maxConnectionsPerAddress,
      idleTimeoutMs: this.init.idleTimeoutMs,
      metricPrefix: 'clusterfunk_swim_tcp',
      metrics: countingRefusals(metricsSink, (reason) => { metrics.refused(reason) })
    }, (conn) => { this.serve(conn) })
    this.listener = listener
    return listener.address.port
  }

  /** Inbound connections open now. */
  get connections (): number {
    return this.listener?.connections ?? 0
  }

  /**
   * Sends one request to `to` and, when `expect` is given, resolves with
   * the body of the reply of that kind. Rejects with `StreamError` (or
   * `TimeoutError`) when anything goes wrong.
   */
  async request (to: string, request: StreamFrame, expect: StreamKind | undefined, timeoutMs = this.init.timeoutMs()): Promise<Uint8Array | undefined> {
    const target = parseAddress(to)
    if (target === undefined) throw new StreamError(`not a host:port address: ${to}`)
    const { sealer, metrics, clock } = this.init
    const frames = encodeStreamMessage(sealer, request.kind, request.body, to)
    if (this.closed) throw new StreamError('the transport is closed')
    const dial = new AbortController()
    this.dialing.add(dial)
    return await new Promise<Uint8Array | undefined>((resolve, reject) => {
      let conn: StreamConnection | undefined
      const reader = new StreamReader(sealer, f => this.init.admit(f, ''))
      let head: StreamHead | undefined
      let settled = false
      let ended = false
      const finish = (err: Error | undefined, body?: Uint8Array): void => {
        if (settled) return
        settled = true
        clock.clearTimeout(timer)
        this.dialing.delete(dial)
        if (conn !== undefined) {
          // A request handed to end() closes once sent; destroying it would discard it.
          if (!ended) conn.destroy()
          this.sockets.delete(conn)
        } else {
          dial.abort()
        }
        if (err !== undefined) reject(err)
        else resolve(body)
      }
      // One bound, connect to close: a connect that hangs (a partition swallowing the SYN) ends here too.
      const timer = clock.setTimeout(() => { finish(new TimeoutError(`stream exchange with ${to} took longer than ${timeoutMs} ms`)) }, timeoutMs)
      timer.unref?.()
      const onData = (chunk: Buffer): void => {
        if (settled) return
        metrics.received('tcp', chunk.length)
        reader.append(chunk)
        try {
          if (head === undefined) {
            head = reader.head()
            if (head === undefined) return
            if (expect === undefined) throw new StreamDropError('a reply where none was expected', 'unexpected')
            checkHead(head, expect)
          }
          const body = reader.body(head)
          if (body !== undefined) finish(undefined, body)
        } catch (err) {
          if (!(err instanceof StreamDropError)) throw err
          metrics.drop('tcp', err.reason)
          finish(new StreamError(`bad reply from ${to}: ${err.message}`, { cause: err }))
        }
      }
      this.init.streams.connect(target.host, target.port, { signal: dial.signal }).then((opened) => {
        if (settled) { opened.destroy(); return }
        conn = opened
        this.sockets.add(opened)
        opened.onClose((err) => {
          if (err !== undefined) finish(new StreamError(`stream to ${to} failed: ${err.message}`, { cause: err }))
          else finish(expect === undefined ? undefined : new StreamError(`${to} closed the stream without a reply`))
        })
        opened.onData(onData)
        metrics.sent('tcp', frames.length)
        if (expect === undefined) {
          ended = true
          opened.end(frames)
          finish(undefined)
        } else {
          opened.write(frames)
        }
      }, (err: Error) => {
        finish(new StreamError(`stream to ${to} failed: ${err.message}`, { cause: err }))
      })
    })
  }

  /** Closes the listener and every open connection, both directions. */
  async close (): Promise<void> {
    const listener = this.listener
    this.listener = undefined
    this.closed = true
    for (const d of this.dialing) d.abort()
    this.dialing.clear()
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
    await listener?.close()
  }

  private serve (socket: StreamConnection): void {
    const { metrics, clock, sealer } = this.init
    if (this.listener === undefined && this.closed) { socket.destroy(); return }
    this.sockets.add(socket)
    const local = formatAddress(socket.local.host, socket.local.port)
    const reader = new StreamReader(sealer, f => this.init.admit(f, local))
    let head: StreamHead | undefined
    let done = false
    let countedPushPull = false
    // One request a connection: what comes after it is not read.
    let served = false
    // `ended`: the reply was handed to end(), which closes once it is sent; destroying would discard it.
    const close = (reason?: DropReason, ended = false): void => {
      if (done) return
      done = true
      if (reason !== undefined) metrics.drop('tcp', reason)
      clock.clearTimeout(timer)
      if (countedPushPull) this.pushPulls--
      this.sockets.delete(socket)
      if (!ended) socket.destroy()
    }
    const timer = clock.setTimeout(() => { close('timeout') }, this.init.timeoutMs())
    timer.unref?.()
    socket.onClose(() => { close(reader.pending > 0 ? 'truncated' : undefined) })
    socket.onData((chunk: Buffer) => {
      if (done || served) return
      metrics.received('tcp', chunk.length)
      reader.append(chunk)
      let request: StreamFrame
      try {
        if (head === undefined) {
          head = reader.head()
          if (head === undefined) return
          checkHead(head, 'request')
          if (head.kind === STREAM_PUSH_PULL || head.length > MAX_PACKET_BYTES) {
            // Decided on the head, before any of a large body is buffered.
            if (this.pushPulls >= this.init.maxPushPulls) throw new StreamDropError('too many push/pulls at once', 'busy')
            this.pushPulls++
            countedPushPull = true
          }
        }
        const body = reader.body(head)
        if (body === undefined) return
        if (reader.pending > 0) throw new StreamDropError('bytes after the request', 'unexpected')
        request = { kind: head.kind, body }
      } catch (err) {
        if (!(err instanceof StreamDropError)) throw err
        close(err.reason)
        return
      }
      served = true
      let reply: StreamFrame | undefined
      try {
        reply = this.init.onRequest(request)
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err
        close('decode')
        return
      }
      if (reply === undefined) { socket.end(); close(undefined, true); return }
      const out = encodeStreamMessage(sealer, reply.kind, reply.body, head.freshness?.sender ?? '')
      metrics.sent('tcp', out.length)
      socket.end(out)
      close(undefined, true)
    })
  }
}

/**
 * `sink`, with every increment of the guard's refusal counter (its only
 * counter) also reported to `onRefused`, so `stats()` and the drop series
 * see refusals too.
 */
function countingRefusals (sink: Metrics, onRefused: (reason: RefusalReason) => void): Metrics {
  return {
    counter: (init) => {
      const counter: Counter = sink.counter(init)
      const inc = (labels?: Labels | number, value?: number): void => {
        if (typeof labels === 'object') counter.inc(labels, value)
        else counter.inc(labels)
        const reason = typeof labels === 'object' ? labels.reason : undefined
        onRefused(reason === 'perAddress' ? 'perAddress' : 'total')
      }
      return { inc: inc as Counter['inc'] }
    },
    gauge: (init) => sink.gauge(init),
    histogram: (init) => sink.histogram(init)
  }
}
