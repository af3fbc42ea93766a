import { createSocket, type Socket } from 'node:dgram'
import http2 from 'node:http2'
import { connect, type Socket as TcpSocket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'

/** A UDP socket on 127.0.0.1 that records what comes back. */
export class Datagrams {
  readonly socket: Socket = createSocket('udp4')
  /** Datagrams received, by sender port. */
  readonly received: Array<{ port: number, bytes: Buffer }> = []

  async open (): Promise<void> {
    this.socket.on('message', (bytes, rinfo) => { if (this.received.length < 10_000) this.received.push({ port: rinfo.port, bytes }) })
    this.socket.on('error', () => {})
    await new Promise<void>(resolve => { this.socket.bind(0, '127.0.0.1', resolve) })
  }

  get port (): number { return this.socket.address().port }

  async send (port: number, bytes: Uint8Array): Promise<void> {
    await new Promise<void>(resolve => { this.socket.send(bytes, port, '127.0.0.1', () => { resolve() }) })
  }

  close (): void { this.socket.close() }
}

/** TLS settings of a hostile client: the CA to trust, and a client certificate when it has one. */
export interface ClientTls { ca: Buffer, cert?: Buffer, key?: Buffer }

/** Opens a TCP (or TLS) connection to 127.0.0.1:port; resolves once connected, rejects on error or after 5 s. */
export async function openTcp (port: number, tls?: ClientTls): Promise<TcpSocket> {
  return await new Promise((resolve, reject) => {
    const s: TcpSocket = tls === undefined
      ? connect(port, '127.0.0.1')
      : tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', ca: tls.ca, ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }), ALPNProtocols: ['h2'] })
    const timer = setTimeout(() => { s.destroy(); reject(new Error('connect timeout')) }, 5_000)
    s.once(tls === undefined ? 'connect' : 'secureConnect', () => { clearTimeout(timer); resolve(s) })
    s.once('error', err => { clearTimeout(timer); reject(err) })
  })
}

/** Writes `bytes` on a fresh connection, reads what comes back for up to `waitMs`, then closes. */
export async function tcpExchange (port: number, bytes: Uint8Array, waitMs: number, tls?: ClientTls): Promise<{ reply: Buffer, connected: boolean, firstReplyMs: number | undefined }> {
  let s: TcpSocket
  try { s = await openTcp(port, tls) } catch { return { reply: Buffer.alloc(0), connected: false, firstReplyMs: undefined } }
  const chunks: Buffer[] = []
  const t0 = performance.now()
  let firstReplyMs: number | undefined
  return await new Promise(resolve => {
    const done = (): void => { clearTimeout(timer); s.destroy(); resolve({ reply: Buffer.concat(chunks), connected: true, firstReplyMs }) }
    const timer = setTimeout(done, waitMs)
    s.on('data', (c: Buffer) => { firstReplyMs ??= performance.now() - t0; if (chunks.length < 64) chunks.push(c) })
    s.on('error', done)
    s.on('close', done)
    s.write(bytes)
  })
}

/** The 5-byte gRPC message prefix (not compressed) and the message. */
export function grpcFrame (message: Uint8Array, claimedLength = message.length): Buffer {
  const head = Buffer.alloc(5)
  head.writeUInt32BE(claimedLength >>> 0, 1)
  return Buffer.concat([head, message])
}

/** What a raw gRPC call came back with. */
export interface GrpcOutcome {
  /** The grpc-status, or -1 when the call never got one (reset, timeout). */
  status: number
  message: string
}

/** An HTTP/2 session to a gRPC port, for calls built byte by byte. */
export class RawGrpc {
  private session: http2.ClientHttp2Session | undefined

  constructor (private readonly port: number, private readonly tls?: ClientTls) {}

  private connect (): http2.ClientHttp2Session {
    if (this.session !== undefined && !this.session.closed && !this.session.destroyed) return this.session
    const s = this.tls === undefined
      ? http2.connect(`http://127.0.0.1:${this.port}`)
      : http2.connect(`https://127.0.0.1:${this.port}`, { servername: 'localhost', ca: this.tls.ca, ...(this.tls.cert === undefined ? {} : { cert: this.tls.cert, key: this.tls.key }) })
    s.on('error', () => {})
    s.unref()
    this.session = s
    return s
  }

  /**
   * One call of `path` with `body` (already framed, or raw garbage) and
   * `metadata`; `end: false` leaves the request open (a stalled upload).
   */
  async call (path: string, body: Uint8Array, metadata: Record<string, string> = {}, timeoutMs = 3_000, end = true): Promise<GrpcOutcome> {
    let s: http2.ClientHttp2Session
    try { s = this.connect() } catch (err) { return { status: -1, message: (err as Error).message } }
    return await new Promise(resolve => {
      let status = -1
      let message = ''
      let settled = false
      const finish = (): void => { if (settled) return; settled = true; clearTimeout(timer); resolve({ status, message }) }
      let req: http2.ClientHttp2Stream
      try {
        req = s.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...metadata })
      } catch (err) {
        message = (err as Error).message
        finish()
        return
      }
      const timer = setTimeout(() => { req.close(http2.constants.NGHTTP2_CANCEL); finish() }, timeoutMs)
      const take = (h: http2.IncomingHttpHeaders): void => {
        if (h['grpc-status'] !== undefined) status = Number(h['grpc-status'])
        if (typeof h['grpc-message'] === 'string') message = decodeURIComponent(h['grpc-message'])
      }
      req.on('response', take)
      req.on('trailers', take)
      req.on('data', () => {})
      req.on('error', err => { message = message || err.message })
      req.on('close', finish)
      if (end) req.end(body)
      else req.write(body)
    })
  }

  close (): void {
    this.session?.destroy()
    this.session = undefined
  }
}
