import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { EXPORT_PATH, MAX_FILL_SHARDS, REPLICA_MAP, REPLICA_PATH, REPLICA_SEQ, REPLICA_SHARD, ReplicationUnavailableError, type Replicator } from './replication.js'
import { route } from './routing.js'
import { StoreFullError, type ShardedStore } from './store.js'
import type { KvClusterView } from './view.js'
import { OperationalWaiters } from './wait.js'

/** Marks a forwarded request (value: the sending node) so it is never forwarded again. */
export const FORWARDED_BY = 'x-kv-forwarded-by'
/** The node that served the request from its own store. */
export const SERVED_BY = 'x-served-by'
/** The committed map version a request was routed (and served) by. */
export const MAP_VERSION = 'x-kv-map-version'
/** A forwarded request's deadline, in Unix milliseconds: the owner refuses it after that. */
export const DEADLINE = 'x-kv-deadline'

export interface KvHttpInit {
  /** The address to listen on. Default 127.0.0.1. */
  host?: string
  /** Port (0: a free one). */
  port?: number
  /** How long a request waits for the node to be Operational before a 503. Default 2 000 ms. */
  waitMs?: number
  /** Deadline of the one forwarding hop. Default 2 000 ms. */
  forwardTimeoutMs?: number
  /** Largest value accepted. Default 1 MiB. */
  maxBodyBytes?: number
  /** Time a client has to send its request headers. Default 10 000 ms. */
  headersTimeoutMs?: number
  /** Time a client has to send a whole request, body included. Default 30 000 ms. */
  requestTimeoutMs?: number
  /** Open connections at most; more are closed at once. Default 1 024. */
  maxConnections?: number
  /** Replication of writes to the shard's replicas (replication factor ≥ 2). Default none: a cache. */
  replicator?: Replicator
}

class HttpError extends Error {
  constructor (readonly status: number, message: string, readonly retry = false, readonly close = false) { super(message) }
}

function httpError (err: unknown): HttpError {
  if (err instanceof HttpError) return err
  if (err instanceof ReplicationUnavailableError) return new HttpError(503, err.message, true)
  if (err instanceof StoreFullError) return new HttpError(507, err.message)
  return new HttpError(500, err instanceof Error ? err.message : String(err))
}

/**
 * The kv HTTP API on 127.0.0.1: `GET /kv/<key>` and `PUT /kv/<key>` (body =
 * value), served from the local store when this node owns the key's shard,
 * else forwarded one hop to the owner's `ep.kv`. `GET /status` says who
 * and in which state this node is; `GET /map` gives the committed map
 * (base64 of `@clusterfunk/sharding`'s encoding) and its version.
 */
export class KvHttpServer {
  readonly counters = { local: 0, forwarded: 0, unavailable: 0, tooLarge: 0, full: 0, badRequests: 0, untrusted: 0, expired: 0, mapMismatch: 0 }
  /** The requests waiting for the node to be Operational. */
  readonly waiters: OperationalWaiters
  private readonly server: Server
  private readonly waitMs: number
  private readonly forwardTimeoutMs: number
  private readonly maxBodyBytes: number
  private readonly port: number
  private readonly host: string
  private readonly replicator: Replicator | undefined

  constructor (private readonly view: KvClusterView, private readonly store: ShardedStore, init: KvHttpInit = {}) {
    this.replicator = init.replicator
    this.port = init.port ?? 0
    this.host = init.host ?? '127.0.0.1'
    this.waiters = new OperationalWaiters(view)
    this.waitMs = init.waitMs ?? 2_000
    this.forwardTimeoutMs = init.forwardTimeoutMs ?? 2_000
    this.maxBodyBytes = init.maxBodyBytes ?? 1024 * 1024
    const headersTimeout = init.headersTimeoutMs ?? 10_000
    const requestTimeout = Math.max(headersTimeout, init.requestTimeoutMs ?? 30_000)
    this.server = createServer({
      headersTimeout,
      requestTimeout,
      // Node checks both timeouts on this interval (default 30 s), so a short timeout needs a short interval.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))),
      maxHeaderSize: 16 * 1024,
      keepAliveTimeout: 5_000
    }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => { this.fail(res, httpError(err)) })
    })
    this.server.maxConnections = init.maxConnections ?? 1_024
    // A malformed request or a timeout: answer when the socket still can, never throw.
    this.server.on('clientError', (_err: Error, socket) => {
      this.counters.badRequests++
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
      socket.destroy()
    })
  }

  /** Answers `e` (or cuts the connection when headers went out already); never throws. */
  private fail (res: ServerResponse, e: HttpError): void {
    if (e.status === 503) this.counters.unavailable++
    if (e.status === 413) this.counters.tooLarge++
    if (e.status === 507) this.counters.full++
    try {
      if (res.headersSent) { res.destroy(); return }
      const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', 'x-kv-node': this.view.nodeId }
      if (e.retry) headers['retry-after'] = '1'
      // The body was not read: closing is the only way not to read it.
      if (e.close) headers.connection = 'close'
      res.writeHead(e.status, headers).end(`${e.message}\n`)
    } catch {
      res.destroy()
    }
  }

  async start (): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.port, this.host, () => { this.server.off('error', reject); resolve() })
    })
  }

  /** `http://<host>:<port>`, what is published as `ep.kv`. */
  url (): string {
    const { address, port } = this.server.address() as AddressInfo
    return `http://${address.includes(':') ? `[${address}]` : address}:${port}`
  }

  /** Stops listening and cuts open connections (keep-alive ones would hold the process). */
  async stop (): Promise<void> {
    if (!this.server.listening) return
    const closed = new Promise<void>(resolve => { this.server.close(() => { resolve() }) })
    this.waiters.cancelAll()
    this.server.closeAllConnections()
    await closed
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/status' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ nodeId: this.view.nodeId, state: this.view.state, mapVersion: this.view.mapVersion, entries: this.store.size }))
      return
    }
    if (path === '/map' && req.method === 'GET') {
      const map = this.view.committedMap()
      if (map === undefined) throw new HttpError(404, 'no map committed yet')
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ version: map.version, map: Buffer.from(map.bytes).toString('base64') }))
      return
    }
    if (this.replicator !== undefined && (path === EXPORT_PATH || path.startsWith(REPLICA_PATH))) {
      await this.internal(this.replicator, path, req, res)
      return
    }
    if (!path.startsWith('/kv/')) throw new HttpError(404, 'not found: use /kv/<key>, /status or /map')
    if (req.method !== 'GET' && req.method !== 'PUT') {
      res.setHeader('allow', 'GET, PUT')
      throw new HttpError(405, `${req.method ?? ''} is not supported: GET or PUT`)
    }
    let key: string
    try { key = decodeURIComponent(path.slice(4)) } catch { throw new HttpError(400, 'the key is not valid percent-encoding') }
    if (key === '') throw new HttpError(400, 'empty key: use /kv/<key>')
    if (req.method === 'PUT') {
      // Refuse an oversized claim from the headers alone: reading (or waiting for) the body first would hold the connection.
      const length = Number(req.headers['content-length'] ?? 0)
      if (!Number.isSafeInteger(length) || length > this.maxBodyBytes) {
        throw new HttpError(413, `values are at most ${this.maxBodyBytes} bytes; Content-Length says ${req.headers['content-length'] ?? '?'}`, false, true)
      }
    }
    // Read the body first: a forwarded PUT carries it on.
    const body = req.method === 'PUT' ? await this.readBody(req) : undefined
    if (!await this.waiters.wait(this.waitMs)) {
      throw new HttpError(503, `node ${this.view.nodeId} is ${this.view.state}, not Operational; retry`, true)
    }
    const forwarded = req.headers[FORWARDED_BY] !== undefined
    if (forwarded) this.checkForwarded(req)
    const r = route(this.view, key, forwarded)
    const routedBy = this.view.mapVersion
    if (r.kind === 'untrusted') {
      this.counters.untrusted++
      throw new HttpError(503, r.reason)
    }
    if (r.kind === 'unavailable') throw new HttpError(503, r.reason, true)
    if (r.kind === 'forward') {
      await this.forward(req.method, `${r.url}/kv/${encodeURIComponent(key)}`, r.owner, body, res)
      return
    }
    this.counters.local++
    const headers = { [SERVED_BY]: this.view.nodeId, 'x-kv-shard': String(r.shard), [MAP_VERSION]: String(this.view.mapVersion) }
    if (this.replicator !== undefined) {
      if (!await this.replicator.waitReady(r.shard, this.waitMs)) throw new HttpError(503, `shard ${r.shard} is still being copied to ${this.view.nodeId}; retry`, true)
      // The wait may have outlived the map the request was routed by.
      if (this.view.mapVersion !== routedBy || this.view.state !== 'Operational') throw new HttpError(503, `the map changed from version ${routedBy} while shard ${r.shard} was copied; retry`, true)
    }
    if (body !== undefined) {
      if (this.replicator === undefined) this.store.set(r.shard, key, body)
      else await this.replicator.write(r.shard, key, body)
      res.writeHead(204, headers).end()
      return
    }
    const value = this.store.get(r.shard, key)
    if (value === undefined) res.writeHead(404, headers).end()
    else res.writeHead(200, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end(value)
  }

  /**
   * A forwarded request is served only as it was meant: by the map the
   * forwarder routed it with, and before the forwarder gave up on it. One
   * that arrives late (this node was paused, the forwarder timed out and
   * told its client to retry) could otherwise overwrite a newer write
   * acknowledged meanwhile. The deadline is wall-clock time, so the nodes'
   * clocks must agree to within the forwarding timeout.
   */
  private checkForwarded (req: IncomingMessage): void {
    const deadline = Number(req.headers[DEADLINE])
    if (!Number.isFinite(deadline) || Date.now() > deadline) {
      this.counters.expired++
      throw new HttpError(503, `forwarded request ${Number.isFinite(deadline) ? 'arrived after its deadline' : `has no valid ${DEADLINE}`}; retry`, true)
    }
    const version = Number(req.headers[MAP_VERSION])
    if (version !== this.view.mapVersion) {
      this.counters.mapMismatch++
      throw new HttpError(503, `forwarded by map version ${req.headers[MAP_VERSION] ?? '?'}, this node serves ${this.view.mapVersion}; retry`, true)
    }
  }

  private async forward (method: string, url: string, owner: string, body: string | undefined, res: ServerResponse): Promise<void> {
    let answer: Response
    try {
      answer = await fetch(url, {
        method,
        headers: { [FORWARDED_BY]: this.view.nodeId, [MAP_VERSION]: String(this.view.mapVersion), [DEADLINE]: String(Date.now() + this.forwardTimeoutMs) },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(this.forwardTimeoutMs)
      })
    } catch (err) {
      // The owner died or is unreachable: the map will change once the leader notices.
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message
      throw new HttpError(503, `owner ${owner} unreachable (${cause}); retry`, true)
    }
    const text = await answer.text()
    this.counters.forwarded++
    const headers: Record<string, string> = { 'x-kv-via': this.view.nodeId }
    for (const h of [SERVED_BY, 'x-kv-shard', MAP_VERSION, 'x-kv-node', 'retry-after', 'content-type']) {
      const v = answer.headers.get(h)
      if (v !== null) headers[h] = v
    }
    res.writeHead(answer.status, headers).end(text)
  }

  /** The node-to-node calls of replication: a replica write from a primary, or a fill asking for shards. */
  private async internal (replicator: Replicator, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (path === EXPORT_PATH && req.method === 'POST') {
      let shards: unknown
      try { shards = JSON.parse(await this.readBody(req)) } catch { throw new HttpError(400, 'a fill names a JSON list of shard numbers') }
      if (!Array.isArray(shards) || shards.length > MAX_FILL_SHARDS || !shards.every(s => Number.isSafeInteger(s) && s >= 0)) {
        throw new HttpError(400, `a fill names at most ${MAX_FILL_SHARDS} shard numbers`)
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ entries: replicator.exportShards(shards as number[]) }))
      return
    }
    if (path.startsWith(REPLICA_PATH) && req.method === 'PUT') {
      const number = (h: string): number => {
        const v = Number(req.headers[h])
        if (!Number.isSafeInteger(v) || v < 0) throw new HttpError(400, `${h} must be a whole number`)
        return v
      }
      let key: string
      try { key = decodeURIComponent(path.slice(REPLICA_PATH.length)) } catch { throw new HttpError(400, 'the key is not valid percent-encoding') }
      const shard = number(REPLICA_SHARD)
      const map = number(REPLICA_MAP)
      const seq = number(REPLICA_SEQ)
      const value = await this.readBody(req)
      if (this.view.shardFor(key) !== shard) throw new HttpError(400, `key ${key} is not in shard ${shard}`)
      // No need to be Operational: a replica only stores; whether the write is acknowledged is the primary's decision.
      replicator.applyReplica(shard, map, seq, key, value)
      res.writeHead(204).end()
      return
    }
    throw new HttpError(405, `${req.method ?? ''} ${path} is not supported`)
  }

  private async readBody (req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > this.maxBodyBytes) throw new HttpError(413, `values are at most ${this.maxBodyBytes} bytes`, false, true)
      chunks.push(chunk)
    }
    return Buffer.concat(chunks).toString('utf8')
  }
}
