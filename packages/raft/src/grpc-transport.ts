import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { DecodeError, InvalidConfigError, Service, noopMetrics, silentLogger, type Counter, type Logger, type Metrics } from '@clusterfunk/core'
import { protoDir } from '@clusterfunk/proto'
import { createHmac, timingSafeEqual } from 'node:crypto'
import path from 'node:path'
import { decodeMessage, decodeSnapshotChunk, encodeMessage, encodeSnapshotChunk, type SnapshotChunk } from './codec.js'
import type { NodeId } from './configuration.js'
import { crc32 } from './checksum.js'
import type { InstallSnapshotRequest, Message } from './messages.js'
import { verifiedSnapshotData } from './snapshot-stream.js'
import type { RaftTransport, TransportHandler } from './transport.js'

/** TLS material (PEM). With `ca` set, peers must present certificates signed by it. */
export interface GrpcTlsInit {
  cert: Buffer
  key: Buffer
  ca: Buffer
}

export interface GrpcTransportInit {
  /** Interface to bind; default 127.0.0.1. */
  host?: string
  /** Port; default 0 (any free port). */
  port?: number
  /** The address peers dial; default host:port as bound. */
  advertise?: string
  /** Cluster token: proven (never sent) on every call; calls without a valid proof get UNAUTHENTICATED. */
  token?: string
  tls?: GrpcTlsInit
  /** Reconnect back-off after a failed stream: doubles from this... Default 50 ms. */
  backoffMinMs?: number
  /** ...up to this. Default 1 000 ms. */
  backoffMaxMs?: number
  /** Snapshot chunk size; default 256 KiB. */
  snapshotChunkBytes?: number
  /** Largest message accepted; default 64 MiB. */
  maxMessageBytes?: number
}

export interface GrpcTransportComponents {
  logger?: Logger
  metrics?: Metrics
}

const AUTH_KEY = 'x-raft-auth'
const ADDRESS_KEY = 'x-raft-address'
const AUTH_WINDOW_MS = 5 * 60_000
const UNARY: ReadonlySet<Message['type']> = new Set(['voteRequest', 'preVoteRequest', 'voteResponse', 'preVoteResponse', 'timeoutNow'])
/** A stream whose unsent bytes exceed this is treated as stalled: messages are dropped and the peer reported unreachable. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024

type Decoded<T> = T | DecodeError
const decodeOr = <T>(decode: (b: Uint8Array) => T) => (buf: Buffer): Decoded<T> => {
  try { return decode(buf) } catch (err) { return err instanceof DecodeError ? err : new DecodeError(String(err)) }
}
const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength)

function serviceDefinition (): grpc.ServiceDefinition {
  const def = protoLoader.loadSync(path.join(protoDir, 'raft.proto'), { longs: Number, enums: Number, defaults: true, oneofs: true })
  const svc = def['clusterfunk.raft.RaftTransport'] as grpc.ServiceDefinition
  const send = svc.Send as grpc.MethodDefinition<unknown, unknown>
  const deliver = svc.Deliver as grpc.MethodDefinition<unknown, unknown>
  const snap = svc.InstallSnapshot as grpc.MethodDefinition<unknown, unknown>
  const msg = { requestSerialize: (m: Message) => toBuffer(encodeMessage(m)), requestDeserialize: decodeOr(decodeMessage) }
  return {
    Send: { ...send, ...msg },
    Deliver: { ...deliver, ...msg },
    InstallSnapshot: { ...snap, requestSerialize: (c: SnapshotChunk) => toBuffer(encodeSnapshotChunk(c)), requestDeserialize: decodeOr(decodeSnapshotChunk) }
  } as unknown as grpc.ServiceDefinition
}

interface Peer {
  readonly client: grpc.Client
  stream: grpc.ClientWritableStream<Message> | undefined
  backoffMs: number
  retryAt: number
}

/**
 * Raft over gRPC (proto/raft.proto, service RaftTransport): one long-lived
 * `Send` client stream per peer for AppendEntries, heartbeats and answers;
 * unary `Deliver` for votes and TimeoutNow; one client-streamed
 * `InstallSnapshot` per snapshot in CRC-checked chunks. A broken stream is
 * reopened after a back-off that doubles up to `backoffMaxMs`; while it
 * waits, sends report the peer unreachable. Malformed messages, bad chunks
 * and failed authentication are rejected and counted
 * (`clusterfunk_raft_transport_rejected_total{reason}`), never thrown.
 */
export class GrpcTransport extends Service implements RaftTransport {
  private readonly init: Required<Omit<GrpcTransportInit, 'token' | 'tls' | 'advertise'>> & Pick<GrpcTransportInit, 'token' | 'tls' | 'advertise'>
  private readonly logger: Logger
  private readonly rejectedCounter: Counter
  private readonly definition = serviceDefinition()
  private readonly peers = new Map<string, Peer>()
  private server: grpc.Server | undefined
  private handler: TransportHandler | undefined
  private boundAddress = ''
  /** Rejected inputs by reason, also reported as a metric. */
  readonly rejected = { decode: 0, auth: 0, snapshot: 0 }

  constructor (components: GrpcTransportComponents = {}, init: GrpcTransportInit = {}) {
    super()
    if (init.token !== undefined && init.token.length < 8) throw new InvalidConfigError('token', 'must be at least 8 characters')
    this.init = {
      host: init.host ?? '127.0.0.1',
      port: init.port ?? 0,
      backoffMinMs: init.backoffMinMs ?? 50,
      backoffMaxMs: init.backoffMaxMs ?? 1000,
      snapshotChunkBytes: init.snapshotChunkBytes ?? 256 * 1024,
      maxMessageBytes: init.maxMessageBytes ?? 64 * 1024 * 1024,
      token: init.token,
      tls: init.tls,
      advertise: init.advertise
    }
    this.logger = components.logger ?? silentLogger('raft:transport')
    this.rejectedCounter = (components.metrics ?? noopMetrics).counter({ name: 'clusterfunk_raft_transport_rejected_total', help: 'Inputs the Raft transport rejected', labelNames: ['reason'] })
  }

  get address (): string {
    return this.init.advertise ?? this.boundAddress
  }

  setHandler (handler: TransportHandler): void {
    this.handler = handler
  }

  protected async onStart (): Promise<void> {
    const server = new grpc.Server({ 'grpc.max_receive_message_length': this.init.maxMessageBytes })
    server.addService(this.definition, {
      Send: (call: grpc.ServerReadableStream<Decoded<Message>, unknown>, cb: grpc.sendUnaryData<unknown>) => { this.serveSend(call, cb) },
      Deliver: (call: grpc.ServerUnaryCall<Decoded<Message>, unknown>, cb: grpc.sendUnaryData<unknown>) => { this.serveDeliver(call, cb) },
      InstallSnapshot: (call: grpc.ServerReadableStream<Decoded<SnapshotChunk>, unknown>, cb: grpc.sendUnaryData<unknown>) => { void this.serveSnapshot(call, cb) }
    })
    const tls = this.init.tls
    const creds = tls === undefined ? grpc.ServerCredentials.createInsecure() : grpc.ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true)
    this.server = server
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${this.init.host}:${this.init.port}`, creds, (err, p) => { if (err !== null) reject(err); else resolve(p) })
    })
    this.boundAddress = `${this.init.host}:${port}`
  }

  protected async onStop (): Promise<void> {
    for (const p of this.peers.values()) {
      p.stream?.end()
      p.client.close()
    }
    this.peers.clear()
    const server = this.server
    this.server = undefined
    // Peers keep their streams open for ever, so a graceful shutdown would wait for them: cancel instead.
    server?.forceShutdown()
  }

  send (_to: NodeId, address: string, messages: readonly Message[]): boolean {
    if (this.status !== 'started') return false
    const peer = this.peer(address)
    let ok = true
    for (const m of messages) {
      if (UNARY.has(m.type)) this.deliver(peer, address, m)
      else ok = this.stream(peer, address, m) && ok
    }
    return ok
  }

  async sendSnapshot (_to: NodeId, address: string, header: InstallSnapshotRequest, data: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<boolean> {
    if (this.status !== 'started') return false
    const peer = this.peer(address)
    return await new Promise<boolean>((resolve) => {
      const call = peer.client.makeClientStreamRequest<SnapshotChunk, { ok?: boolean }>(
        `/clusterfunk.raft.RaftTransport/InstallSnapshot`,
        (c) => toBuffer(encodeSnapshotChunk(c)),
        (b) => (this.definition.InstallSnapshot as grpc.MethodDefinition<unknown, { ok?: boolean }>).responseDeserialize(b),
        this.metadata(),
        (err, res) => { resolve(err === null && res?.ok === true) })
      const onAbort = (): void => { call.cancel() }
      signal?.addEventListener('abort', onAbort, { once: true })
      void (async () => {
        let offset = 0
        let crc = 0
        let first = true
        const chunkBytes = this.init.snapshotChunkBytes
        const write = async (c: SnapshotChunk): Promise<void> => {
          if (!call.write(c)) await new Promise<void>(resolve => call.once('drain', resolve))
        }
        try {
          for await (const piece of data) {
            for (let at = 0; at < piece.length; at += chunkBytes) {
              const part = piece.subarray(at, at + chunkBytes)
              crc = crc32(part, crc)
              await write({ ...(first ? { header } : {}), offset, data: part, last: false, crc32: 0 })
              first = false
              offset += part.length
              if (signal?.aborted === true) throw new Error('aborted')
            }
          }
          await write({ ...(first ? { header } : {}), offset, data: new Uint8Array(0), last: true, crc32: crc })
          call.end()
        } catch (err) {
          this.logger.debug('snapshot stream failed', { to: address, err: (err as Error).message })
          call.cancel()
        } finally {
          signal?.removeEventListener('abort', onAbort)
        }
      })()
    })
  }

  /** Starts connecting the channel to `address` now (it is kept for the messages that follow). */
  connect (address: string): void {
    if (this.status !== 'started') return
    try {
      this.peer(address).client.getChannel().getConnectivityState(true)
    } catch (err) {
      this.logger.debug('cannot connect ahead', { to: address, err: (err as Error).message })
    }
  }

  // ---- client side ----

  private peer (address: string): Peer {
    let p = this.peers.get(address)
    if (p === undefined) {
      const tls = this.init.tls
      const creds = tls === undefined ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(tls.ca, tls.key, tls.cert)
      const client = new grpc.Client(address, creds, {
        'grpc.max_receive_message_length': this.init.maxMessageBytes,
        'grpc.max_send_message_length': this.init.maxMessageBytes,
        'grpc.initial_reconnect_backoff_ms': this.init.backoffMinMs,
        'grpc.max_reconnect_backoff_ms': this.init.backoffMaxMs,
        'grpc.enable_retries': 0
      })
      p = { client, stream: undefined, backoffMs: this.init.backoffMinMs, retryAt: 0 }
      this.peers.set(address, p)
    }
    return p
  }

  private stream (peer: Peer, address: string, m: Message): boolean {
    if (peer.stream === undefined) {
      if (performance.now() < peer.retryAt) return false
      const stream = peer.client.makeClientStreamRequest<Message, unknown>(
        '/clusterfunk.raft.RaftTransport/Send', (x) => toBuffer(encodeMessage(x)), () => ({}), this.metadata(),
        (err) => { this.streamEnded(peer, stream, address, err) })
      stream.on('metadata', () => { peer.backoffMs = this.init.backoffMinMs })
      peer.stream = stream
    }
    const s = peer.stream
    if (s.writableLength > MAX_BUFFERED_BYTES) return false
    s.write(m)
    return true
  }

  private streamEnded (peer: Peer, stream: grpc.ClientWritableStream<Message>, address: string, err: grpc.ServiceError | null): void {
    if (peer.stream !== stream) return
    peer.stream = undefined
    if (err !== null) {
      peer.retryAt = performance.now() + peer.backoffMs
      this.logger.debug('raft stream to peer broke', { to: address, code: err.code, backoffMs: peer.backoffMs })
      peer.backoffMs = Math.min(this.init.backoffMaxMs, peer.backoffMs * 2)
    }
  }

  private deliver (peer: Peer, address: string, m: Message): void {
    peer.client.makeUnaryRequest<Message, unknown>('/clusterfunk.raft.RaftTransport/Deliver', (x) => toBuffer(encodeMessage(x)), () => ({}), m, this.metadata(),
      { deadline: Date.now() + 5000 }, (err) => { if (err !== null) this.logger.debug('raft delivery failed', { to: address, code: err.code }) })
  }

  private metadata (): grpc.Metadata {
    const md = new grpc.Metadata()
    md.set(ADDRESS_KEY, this.address)
    const token = this.init.token
    if (token !== undefined) {
      const ts = String(Date.now())
      md.set(AUTH_KEY, `${ts}.${createHmac('sha256', token).update(`${ts}:${this.address}`).digest('hex')}`)
    }
    return md
  }

  // ---- server side ----

  private reject (reason: keyof GrpcTransport['rejected']): void {
    this.rejected[reason]++
    this.rejectedCounter.inc({ reason })
  }

  /** The caller's address when the call is authentic, else undefined (and counted). */
  private authenticate (md: grpc.Metadata): { address: string } | undefined {
    const address = md.get(ADDRESS_KEY)[0]
    const addr = typeof address === 'string' ? address : ''
    const token = this.init.token
    if (token === undefined) return { address: addr }
    const proof = md.get(AUTH_KEY)[0]
    if (typeof proof === 'string') {
      const [ts, mac] = proof.split('.')
      const t = Number(ts)
      if (mac !== undefined && Number.isFinite(t) && Math.abs(Date.now() - t) < AUTH_WINDOW_MS) {
        const want = createHmac('sha256', token).update(`${ts}:${addr}`).digest()
        const got = Buffer.from(mac, 'hex')
        if (got.length === want.length && timingSafeEqual(got, want)) return { address: addr }
      }
    }
    this.reject('auth')
    return undefined
  }

  private unauthenticated (cb: grpc.sendUnaryData<unknown>): void {
    cb({ code: grpc.status.UNAUTHENTICATED, details: 'bad or missing cluster token proof' })
  }

  private accept (m: Decoded<Message>, from: string): void {
    if (m instanceof DecodeError) { this.reject('decode'); return }
    this.handler?.onMessage(m, from === '' ? undefined : from)
  }

  private serveSend (call: grpc.ServerReadableStream<Decoded<Message>, unknown>, cb: grpc.sendUnaryData<unknown>): void {
    const auth = this.authenticate(call.metadata)
    if (auth === undefined) { this.unauthenticated(cb); return }
    call.sendMetadata(new grpc.Metadata())
    call.on('data', (m: Decoded<Message>) => { this.accept(m, auth.address) })
    call.on('end', () => { cb(null, {}) })
    call.on('error', () => { /* the peer went away; it reconnects */ })
  }

  private serveDeliver (call: grpc.ServerUnaryCall<Decoded<Message>, unknown>, cb: grpc.sendUnaryData<unknown>): void {
    const auth = this.authenticate(call.metadata)
    if (auth === undefined) { this.unauthenticated(cb); return }
    this.accept(call.request, auth.address)
    cb(null, {})
  }

  private async serveSnapshot (call: grpc.ServerReadableStream<Decoded<SnapshotChunk>, unknown>, cb: grpc.sendUnaryData<unknown>): Promise<void> {
    const auth = this.authenticate(call.metadata)
    if (auth === undefined) { this.unauthenticated(cb); return }
    const it = call[Symbol.asyncIterator]() as AsyncIterator<Decoded<SnapshotChunk>>
    const bad = (why: string): never => { this.reject('snapshot'); throw new DecodeError(`bad snapshot stream: ${why}`) }
    try {
      const first = await it.next()
      const head = first.value as Decoded<SnapshotChunk> | undefined
      if (first.done === true || head === undefined || head instanceof DecodeError || head.header?.type !== 'installSnapshot') bad('no installSnapshot header')
      const h = head as SnapshotChunk
      const data = verifiedSnapshotData(h, async () => {
        const n = await it.next()
        if (n.done === true) return undefined
        if (n.value instanceof DecodeError) bad('a chunk does not decode')
        return n.value as SnapshotChunk
      }, bad)
      const ok = this.handler === undefined ? false : await this.handler.onSnapshot(h.header as InstallSnapshotRequest, data)
      cb(null, { ok })
    } catch (err) {
      this.logger.debug('snapshot receive failed', { err: (err as Error).message })
      cb(null, { ok: false })
    }
  }
}
