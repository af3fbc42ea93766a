import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import { ConnectionGuard, DecodeError, InvalidConfigError, Service, noopMetrics, silentLogger, tlsTarget, type Counter, type Logger, type Metrics } from '@clusterfunk/core'
import { protoJson } from '@clusterfunk/proto'
import { CallSlots, type SlotLimits } from './call-slots.js'
import { decodeMessage, decodeSnapshotChunk, encodeMessage, encodeSnapshotChunk, type SnapshotChunk } from './codec.js'
import type { NodeId } from './configuration.js'
import { crc32 } from './checksum.js'
import type { InstallSnapshotRequest, Message } from './messages.js'
import { ADDRESS_KEY, AUTH_KEY, RaftAuth, type AuthFailure, type CallContext } from './raft-auth.js'
import { verifiedSnapshotData } from './snapshot-stream.js'
import type { RaftTransport, TransportHandler } from './transport.js'

/** TLS material (PEM). With `ca` set, peers must present certificates signed by it. */
export interface GrpcTlsInit {
  cert: Buffer
  key: Buffer
  ca: Buffer
}

/** Calls of each kind a server lets in flight, per peer (its claimed, and with a token proven, address) and in all. */
export interface GrpcCallLimits {
  /** Long-lived `Send` streams. Default 4 per peer, 64 in all. */
  send?: SlotLimits
  /** Unary `Deliver` calls (votes, TimeoutNow). Default 8 per peer, 16 in all. */
  deliver?: SlotLimits
  /** `InstallSnapshot` streams. Default 2 per peer, 4 in all. */
  snapshot?: SlotLimits
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
  /**
   * Largest message sent or accepted; default 8 MiB. Merged appends carry at
   * most 4 MiB of entries (see `batching.ts`) and snapshot chunks are
   * `snapshotChunkBytes`, so honest messages stay well below it; a larger
   * one is dropped by the sender and refused by the receiver before it is
   * buffered.
   */
  maxMessageBytes?: number
  /** A token proof older or newer than this (ms) is refused; peers' clocks must agree within it. Default 60 000. */
  authWindowMs?: number
  /** Nonces of accepted calls remembered to refuse replays (within `authWindowMs`). Default 65 536. */
  replayCacheEntries?: number
  /** Calls in flight per kind; see `GrpcCallLimits`. */
  callLimits?: GrpcCallLimits
  /** TCP connections open at once; more are closed on accept. Default 1 024. */
  maxConnections?: number
  /** TCP connections open at once from one remote address. Default 128. */
  maxConnectionsPerAddress?: number
  /** A connection without a byte, or without a call, for this long is closed (ms). Default 120 000. */
  idleTimeoutMs?: number
}

export interface GrpcTransportComponents {
  logger?: Logger
  metrics?: Metrics
}

const SEND = '/clusterfunk.raft.RaftTransport/Send'
const DELIVER = '/clusterfunk.raft.RaftTransport/Deliver'
const INSTALL_SNAPSHOT = '/clusterfunk.raft.RaftTransport/InstallSnapshot'
const DEFAULT_LIMITS: Required<GrpcCallLimits> = { send: { perPeer: 4, total: 64 }, deliver: { perPeer: 8, total: 16 }, snapshot: { perPeer: 2, total: 4 } }
const UNARY: ReadonlySet<Message['type']> = new Set(['voteRequest', 'preVoteRequest', 'voteResponse', 'preVoteResponse', 'timeoutNow'])
/** A stream whose unsent bytes exceed this is treated as stalled: messages are dropped and the peer reported unreachable. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024

const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength)
const identity = (b: Buffer): Buffer => b

/**
 * The service with raw bytes for requests: the transport seals and encodes
 * what it sends, and opens and decodes what it receives itself, because the
 * MAC of a message depends on its call.
 */
function serviceDefinition (): grpc.ServiceDefinition {
  const def = protoLoader.fromJSON(protoJson('raft.proto'), { longs: Number, enums: Number, defaults: true, oneofs: true })
  const svc = def['clusterfunk.raft.RaftTransport'] as grpc.ServiceDefinition
  const raw = { requestSerialize: identity, requestDeserialize: identity }
  return {
    Send: { ...svc.Send, ...raw },
    Deliver: { ...svc.Deliver, ...raw },
    InstallSnapshot: { ...svc.InstallSnapshot, ...raw }
  } as unknown as grpc.ServiceDefinition
}

interface Peer {
  readonly client: grpc.Client
  stream: grpc.ClientWritableStream<Buffer> | undefined
  /** The open stream's call context (sequence numbers, nonce) when the cluster has a token. */
  context: CallContext | undefined
  backoffMs: number
  retryAt: number
}

/** Why the server refused an input; counted in `rejected` and `clusterfunk_raft_transport_rejected_total{reason}`. */
export type RejectReason = 'decode' | 'auth' | 'replay' | 'snapshot' | 'busy'

type Resolved = Required<Omit<GrpcTransportInit, 'token' | 'tls' | 'advertise' | 'callLimits'>> & Pick<GrpcTransportInit, 'token' | 'tls' | 'advertise'>

/**
 * Raft over gRPC (proto/raft.proto, service RaftTransport): one long-lived
 * `Send` client stream per peer for AppendEntries, heartbeats and answers;
 * unary `Deliver` for votes and TimeoutNow; one client-streamed
 * `InstallSnapshot` per snapshot in CRC-checked chunks. A broken stream is
 * reopened after a back-off that doubles up to `backoffMaxMs`; while it
 * waits, sends report the peer unreachable.
 *
 * The port is guarded: a `ConnectionGuard` caps connections (in all and per
 * remote address) and closes idle ones; a server interceptor checks every
 * call's token proof and takes a call slot (per peer and in all) from the
 * call's metadata, before its body is read; messages are limited to
 * `maxMessageBytes`. With a token every message is authenticated and bound
 * to its call (see `raft-auth.ts`). Malformed messages, bad chunks, failed
 * authentication, replays and calls over a limit are rejected and counted
 * (`rejected`, `clusterfunk_raft_transport_rejected_total{reason}`), never thrown.
 */
export class GrpcTransport extends Service implements RaftTransport {
  private readonly init: Resolved
  private readonly logger: Logger
  private readonly metrics: Metrics
  private readonly rejectedCounter: Counter
  private readonly definition = serviceDefinition()
  private readonly peers = new Map<string, Peer>()
  private readonly auth: RaftAuth | undefined
  private readonly slots: ReadonlyMap<string, CallSlots>
  private server: grpc.Server | undefined
  private guard: ConnectionGuard | undefined
  private handler: TransportHandler | undefined
  private boundAddress = ''
  /** Rejected inputs by reason, also reported as a metric. */
  readonly rejected: Record<RejectReason, number> = { decode: 0, auth: 0, replay: 0, snapshot: 0, busy: 0 }

  /** @throws InvalidConfigError for a token shorter than 8 characters or a bad limit */
  constructor (components: GrpcTransportComponents = {}, init: GrpcTransportInit = {}) {
    super()
    if (init.token !== undefined && init.token.length < 8) throw new InvalidConfigError('token', 'must be at least 8 characters')
    this.init = {
      host: init.host ?? '127.0.0.1',
      port: init.port ?? 0,
      backoffMinMs: init.backoffMinMs ?? 50,
      backoffMaxMs: init.backoffMaxMs ?? 1000,
      snapshotChunkBytes: init.snapshotChunkBytes ?? 256 * 1024,
      maxMessageBytes: init.maxMessageBytes ?? 8 * 1024 * 1024,
      authWindowMs: init.authWindowMs ?? 60_000,
      replayCacheEntries: init.replayCacheEntries ?? 65_536,
      maxConnections: init.maxConnections ?? 1024,
      maxConnectionsPerAddress: init.maxConnectionsPerAddress ?? 128,
      idleTimeoutMs: init.idleTimeoutMs ?? 120_000,
      token: init.token,
      tls: init.tls,
      advertise: init.advertise
    }
    for (const k of ['maxMessageBytes', 'authWindowMs', 'replayCacheEntries', 'snapshotChunkBytes'] as const) {
      if (!Number.isSafeInteger(this.init[k]) || this.init[k] < 1) throw new InvalidConfigError(k, 'must be a positive integer')
    }
    if (this.init.snapshotChunkBytes > this.init.maxMessageBytes / 2) throw new InvalidConfigError('snapshotChunkBytes', 'must be at most half of maxMessageBytes')
    const limits = { ...DEFAULT_LIMITS, ...init.callLimits }
    this.slots = new Map([[SEND, new CallSlots(limits.send)], [DELIVER, new CallSlots(limits.deliver)], [INSTALL_SNAPSHOT, new CallSlots(limits.snapshot)]])
    this.auth = init.token === undefined ? undefined : new RaftAuth(init.token, this.init.authWindowMs, this.init.replayCacheEntries)
    this.logger = components.logger ?? silentLogger('raft:transport')
    this.metrics = components.metrics ?? noopMetrics
    this.rejectedCounter = this.metrics.counter({ name: 'clusterfunk_raft_transport_rejected_total', help: 'Inputs the Raft transport rejected', labelNames: ['reason'] })
  }

  get address (): string {
    return this.init.advertise ?? this.boundAddress
  }

  /** TCP connections open on the port now. */
  get connections (): number {
    return this.guard?.connections ?? 0
  }

  setHandler (handler: TransportHandler): void {
    this.handler = handler
  }

  protected async onStart (): Promise<void> {
    const server = new grpc.Server({
      'grpc.max_receive_message_length': this.init.maxMessageBytes,
      'grpc.max_send_message_length': 1024,
      // Streams (calls) per connection: a peer needs one Send stream, a few votes and a snapshot at a time.
      'grpc.max_concurrent_streams': 32,
      // nghttp2's buffer for one connection, in MB: a connection that does not read its answers cannot grow it.
      'grpc-node.max_session_memory': 16,
      'grpc.max_connection_idle_ms': this.init.idleTimeoutMs,
      interceptors: [(method, call) => this.intercept(method.path, call)]
    })
    server.addService(this.definition, {
      Send: (call: grpc.ServerReadableStream<Buffer, unknown>, cb: grpc.sendUnaryData<unknown>) => { this.serveSend(call, cb) },
      Deliver: (call: grpc.ServerUnaryCall<Buffer, unknown>, cb: grpc.sendUnaryData<unknown>) => { this.serveDeliver(call, cb) },
      InstallSnapshot: (call: grpc.ServerReadableStream<Buffer, unknown>, cb: grpc.sendUnaryData<unknown>) => { void this.serveSnapshot(call, cb) }
    })
    const tls = this.init.tls
    const creds = tls === undefined ? grpc.ServerCredentials.createInsecure() : grpc.ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true)
    const injector = server.createConnectionInjector(creds)
    const guard = new ConnectionGuard({ logger: this.logger, metrics: this.metrics }, {
      part: 'raft',
      host: this.init.host,
      port: this.init.port,
      maxConnections: this.init.maxConnections,
      maxConnectionsPerAddress: this.init.maxConnectionsPerAddress,
      idleTimeoutMs: this.init.idleTimeoutMs,
      metricPrefix: 'clusterfunk_raft_transport'
    }, (socket) => { injector.injectConnection(socket) })
    this.server = server
    this.guard = guard
    await guard.start()
    this.boundAddress = `${this.init.host}:${guard.address().port}`
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
    await this.guard?.stop()
    this.guard = undefined
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
    const { metadata, context } = this.metadata(INSTALL_SNAPSHOT)
    return await new Promise<boolean>((resolve) => {
      const call = peer.client.makeClientStreamRequest<Buffer, { ok?: boolean }>(INSTALL_SNAPSHOT, identity,
        (b) => (this.definition.InstallSnapshot as grpc.MethodDefinition<unknown, { ok?: boolean }>).responseDeserialize(b),
        metadata, (err, res) => { resolve(err === null && res?.ok === true) })
      const onAbort = (): void => { call.cancel() }
      signal?.addEventListener('abort', onAbort, { once: true })
      void (async () => {
        let offset = 0
        let crc = 0
        let first = true
        const chunkBytes = this.init.snapshotChunkBytes
        const write = async (c: SnapshotChunk): Promise<void> => {
          if (!call.write(this.seal(encodeSnapshotChunk(c), context))) await new Promise<void>(resolve => call.once('drain', resolve))
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

  /** The peer at `address` is back: a broken link to it starts over on a fresh channel, without its back-off. */
  peerBack (address: string): void {
    if (this.status !== 'started') return
    const p = this.peers.get(address)
    if (p !== undefined) {
      if (p.stream !== undefined) return
      this.peers.delete(address)
      p.client.close()
    }
    this.connect(address)
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
      const target = tls === undefined ? undefined : tlsTarget(address)
      const creds = tls === undefined ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(tls.ca, tls.key, tls.cert, target?.verify)
      const client = new grpc.Client(address, creds, {
        ...target?.channelOptions,
        'grpc.max_receive_message_length': 1024,
        'grpc.max_send_message_length': this.init.maxMessageBytes,
        'grpc.initial_reconnect_backoff_ms': this.init.backoffMinMs,
        'grpc.max_reconnect_backoff_ms': this.init.backoffMaxMs,
        'grpc.enable_retries': 0
      })
      p = { client, stream: undefined, context: undefined, backoffMs: this.init.backoffMinMs, retryAt: 0 }
      this.peers.set(address, p)
    }
    return p
  }

  /** Encoded `m` (sealed when the cluster has a token), or undefined when it is too large to send. */
  private outgoing (m: Message, context: CallContext | undefined, address: string): Buffer | undefined {
    const bytes = this.seal(encodeMessage(m), context)
    if (bytes.length <= this.init.maxMessageBytes) return bytes
    this.logger.warn('raft message larger than maxMessageBytes dropped', { to: address, type: m.type, bytes: bytes.length })
    return undefined
  }

  private seal (bytes: Uint8Array, context: CallContext | undefined): Buffer {
    return context === undefined || this.auth === undefined ? toBuffer(bytes) : this.auth.seal(bytes, context)
  }

  private stream (peer: Peer, address: string, m: Message): boolean {
    if (peer.stream === undefined) {
      if (performance.now() < peer.retryAt) return false
      const { metadata, context } = this.metadata(SEND)
      const stream = peer.client.makeClientStreamRequest<Buffer, unknown>(SEND, identity, () => ({}), metadata,
        (err) => { this.streamEnded(peer, stream, address, err) })
      stream.on('metadata', () => { peer.backoffMs = this.init.backoffMinMs })
      peer.stream = stream
      peer.context = context
    }
    const s = peer.stream
    if (s.writableLength > MAX_BUFFERED_BYTES) return false
    const bytes = this.outgoing(m, peer.context, address)
    if (bytes === undefined) return false
    s.write(bytes)
    return true
  }

  private streamEnded (peer: Peer, stream: grpc.ClientWritableStream<Buffer>, address: string, err: grpc.ServiceError | null): void {
    if (peer.stream !== stream) return
    peer.stream = undefined
    peer.context = undefined
    if (err !== null) {
      peer.retryAt = performance.now() + peer.backoffMs
      this.logger.debug('raft stream to peer broke', { to: address, code: err.code, backoffMs: peer.backoffMs })
      peer.backoffMs = Math.min(this.init.backoffMaxMs, peer.backoffMs * 2)
    }
  }

  private deliver (peer: Peer, address: string, m: Message): void {
    const { metadata, context } = this.metadata(DELIVER)
    const bytes = this.outgoing(m, context, address)
    if (bytes === undefined) return
    peer.client.makeUnaryRequest<Buffer, unknown>(DELIVER, identity, () => ({}), bytes, metadata,
      { deadline: Date.now() + 5000 }, (err) => { if (err !== null) this.logger.debug('raft delivery failed', { to: address, code: err.code }) })
  }

  /** A new call's metadata: the caller's address and, with a token, a fresh proof and the call's context. */
  private metadata (method: string): { metadata: grpc.Metadata, context: CallContext | undefined } {
    const metadata = new grpc.Metadata()
    metadata.set(ADDRESS_KEY, this.address)
    if (this.auth === undefined) return { metadata, context: undefined }
    // Wall-clock time: the proof is checked against the receiver's clock.
    const { proof, context } = this.auth.prove(method, this.address, Date.now())
    metadata.set(AUTH_KEY, proof)
    return { metadata, context }
  }

  // ---- server side ----

  private reject (reason: RejectReason): void {
    this.rejected[reason]++
    this.rejectedCounter.inc({ reason })
  }

  /**
   * Every call passes here with its metadata, before its body is read: the
   * token proof is checked (and its nonce spent), and a call slot taken for
   * the caller; a call that fails either is answered at once and its body
   * never buffered. The slot is given back when the call ends.
   */
  private intercept (method: string, call: grpc.ServerInterceptingCallInterface): grpc.ServerInterceptingCall {
    let release: (() => void) | undefined
    const done = (): void => { release?.() }
    return new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (md, mdNext) => {
            const refusal = this.admit(method, md)
            if (typeof refusal === 'function') {
              release = refusal
              mdNext(md)
              return
            }
            this.reject(refusal)
            call.sendStatus(refusal === 'busy'
              ? { code: grpc.status.RESOURCE_EXHAUSTED, details: 'too many raft calls in flight' }
              : { code: grpc.status.UNAUTHENTICATED, details: 'bad, stale or replayed cluster token proof' })
          },
          onCancel: done
        })
      },
      sendStatus: (status, next) => { done(); next(status) }
    })
  }

  /** A release function for the call's slot, or why the call is refused. */
  private admit (method: string, md: grpc.Metadata): (() => void) | AuthFailure | 'busy' {
    const address = md.get(ADDRESS_KEY)[0]
    const addr = typeof address === 'string' ? address : ''
    if (this.auth !== undefined) {
      const verdict = this.auth.verify(method, addr, md.get(AUTH_KEY)[0], Date.now())
      if (typeof verdict === 'string') return verdict
    }
    return this.slots.get(method)?.take(addr) ?? 'busy'
  }

  /** The context of a call the interceptor admitted (its nonce is in the proof), when the cluster has a token. */
  private contextOf (md: grpc.Metadata): CallContext | undefined {
    if (this.auth === undefined) return undefined
    const nonce = String(md.get(AUTH_KEY)[0]).split('.')[1] ?? ''
    return { nonce: Buffer.from(nonce, 'hex'), lastSeq: 0 }
  }

  /** The message bytes of `buf` (opened when the cluster has a token), or why they are refused. */
  private open (buf: Buffer, context: CallContext | undefined): Buffer | AuthFailure {
    return context === undefined || this.auth === undefined ? buf : this.auth.open(buf, context)
  }

  /** A decoded message from the call, or undefined when it was refused (counted); `failed` tells whether the call must end. */
  private incoming (buf: Buffer, context: CallContext | undefined): { m?: Message, failed?: AuthFailure } {
    const bytes = this.open(buf, context)
    if (typeof bytes === 'string') { this.reject(bytes); return { failed: bytes } }
    try {
      return { m: decodeMessage(bytes) }
    } catch (err) {
      if (!(err instanceof DecodeError)) this.logger.warn('raft decoder threw a non-DecodeError', { err: String(err) })
      this.reject('decode')
      return {}
    }
  }

  private unauthenticated (cb: grpc.sendUnaryData<unknown>): void {
    cb({ code: grpc.status.UNAUTHENTICATED, details: 'a message failed authentication' })
  }

  private accept (m: Message, from: string): void {
    try {
      this.handler?.onMessage(m, from === '' ? undefined : from)
    } catch (err) {
      this.logger.warn('raft message handler threw', { err: String(err) })
    }
  }

  private serveSend (call: grpc.ServerReadableStream<Buffer, unknown>, cb: grpc.sendUnaryData<unknown>): void {
    const from = String(call.metadata.get(ADDRESS_KEY)[0] ?? '')
    const context = this.contextOf(call.metadata)
    let failed = false
    call.sendMetadata(new grpc.Metadata())
    call.on('data', (buf: Buffer) => {
      if (failed) return
      const r = this.incoming(buf, context)
      if (r.failed !== undefined) {
        // A forged or replayed message: nothing more on this stream is trusted.
        failed = true
        this.unauthenticated(cb)
        return
      }
      if (r.m !== undefined) this.accept(r.m, from)
    })
    call.on('end', () => { if (!failed) cb(null, {}) })
    call.on('error', () => { /* the peer went away; it reconnects */ })
  }

  private serveDeliver (call: grpc.ServerUnaryCall<Buffer, unknown>, cb: grpc.sendUnaryData<unknown>): void {
    const r = this.incoming(call.request, this.contextOf(call.metadata))
    if (r.failed !== undefined) { this.unauthenticated(cb); return }
    if (r.m !== undefined) this.accept(r.m, String(call.metadata.get(ADDRESS_KEY)[0] ?? ''))
    cb(null, {})
  }

  private async serveSnapshot (call: grpc.ServerReadableStream<Buffer, unknown>, cb: grpc.sendUnaryData<unknown>): Promise<void> {
    const context = this.contextOf(call.metadata)
    const it = call[Symbol.asyncIterator]() as AsyncIterator<Buffer>
    const bad = (why: string): never => { this.reject('snapshot'); throw new DecodeError(`bad snapshot stream: ${why}`) }
    const nextChunk = async (): Promise<SnapshotChunk | undefined> => {
      const n = await it.next()
      if (n.done === true) return undefined
      const bytes = this.open(n.value, context)
      if (typeof bytes === 'string') { this.reject(bytes); throw new DecodeError('a snapshot chunk failed authentication') }
      try {
        return decodeSnapshotChunk(bytes)
      } catch {
        return bad('a chunk does not decode')
      }
    }
    try {
      const head = await nextChunk()
      if (head?.header?.type !== 'installSnapshot') bad('no installSnapshot header')
      const h = head as SnapshotChunk
      const data = verifiedSnapshotData(h, nextChunk, bad)
      const ok = this.handler === undefined ? false : await this.handler.onSnapshot(h.header as InstallSnapshotRequest, data)
      cb(null, { ok })
    } catch (err) {
      this.logger.debug('snapshot receive failed', { err: (err as Error).message })
      cb(null, { ok: false })
    }
  }
}
