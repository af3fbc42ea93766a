import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { ConnectionGuard, InvalidConfigError, PortInUseError, NotStartedError, Service, raceSignal, silentLogger, type AbortOptions, type Logger, type Metrics } from '@clusterfunk/core'
import { HEALTH_BODY, readinessBody, type ReadinessProbe } from './health.js'
import type { PromMetrics } from './prom-metrics.js'
import type { StatusPage } from './status-page.js'

/** What a `MetricsServer` takes from outside. */
export interface MetricsServerComponents {
  /** The metrics it serves. */
  metrics: Pick<PromMetrics, 'exposition' | 'contentType'>
  /** Where the listener's own figures go (connections open, refused). Default none. */
  guardMetrics?: Metrics
  logger?: Logger
  /** Answers `/ready` (200 when ready, else 503, with a small JSON body). Default: no `/ready` (404). */
  readiness?: ReadinessProbe
  /** Serves the live status page under `/status`. Default none (404). */
  statusPage?: StatusPage
}

/** Options of a `MetricsServer`; every one optional. */
export interface MetricsServerInit {
  /** Address to listen on. Default `127.0.0.1`; pass `0.0.0.0` (or an interface's address) for a remote Prometheus. */
  host?: string
  /** Port; 0 (the default) takes a free one, see `address()`. */
  port?: number
  /** Path of the exposition. Default `/metrics`. */
  path?: string
  /** Connections open at once; more are closed on accept (counted). Default 64. */
  maxConnections?: number
  /** Connections open at once from one IP address. Default 16. */
  maxConnectionsPerAddress?: number
  /** A connection with no byte either way for this long is closed (ms). Default 30 000. */
  idleTimeoutMs?: number
}

/** Where a started server listens. */
export interface MetricsAddress {
  host: string
  port: number
}

/**
 * Serves `GET /metrics` (and `HEAD`) in Prometheus' text format with
 * prom-client's content type; `/health` (200 `{"status":"up"}` while the
 * process serves: a liveness probe); `/ready` when given a readiness
 * probe (200 when ready, 503 otherwise, a JSON body either way: a
 * readiness probe); the status page under `/status` when given one;
 * 404 for other paths, 405 for other methods,
 * 400 for requests that do not parse, 500 when collecting fails. `stop()`
 * closes the listener and every open connection, keep-alive ones included.
 */
export class MetricsServer extends Service {
  private readonly metrics: MetricsServerComponents['metrics']
  private readonly logger: Logger
  private readonly host: string
  private readonly port: number
  private readonly path: string
  private readonly init: MetricsServerInit
  private readonly guardMetrics: Metrics | undefined
  private readonly readiness: ReadinessProbe | undefined
  private readonly statusPage: StatusPage | undefined
  private server: Server | undefined
  private guard: ConnectionGuard | undefined
  private bound: MetricsAddress | undefined

  constructor (components: MetricsServerComponents, init: MetricsServerInit = {}) {
    super()
    this.init = init
    this.guardMetrics = components.guardMetrics
    this.metrics = components.metrics
    this.readiness = components.readiness
    this.statusPage = components.statusPage
    this.logger = components.logger ?? silentLogger('cluster:metrics')
    this.host = init.host ?? '127.0.0.1'
    this.port = init.port ?? 0
    this.path = init.path ?? '/metrics'
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 65_535) throw new InvalidConfigError('port', 'must be an integer in 0..65535')
    if (!this.path.startsWith('/') || /[?#\s]/.test(this.path)) throw new InvalidConfigError('path', 'must start with / and hold no ?, # or spaces')
    if (this.host === '') throw new InvalidConfigError('host', 'must be an address to listen on, such as 127.0.0.1')
  }

  /** Where the server listens; throws `NotStartedError` when it is not started. */
  address (): MetricsAddress {
    if (this.bound === undefined) throw new NotStartedError('the metrics server is not started')
    return { ...this.bound }
  }

  /** The URL of the exposition, such as `http://127.0.0.1:9464/metrics`. */
  url (): string {
    const { host, port } = this.address()
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}${this.path}`
  }

  protected async onStart (options: AbortOptions): Promise<void> {
    const server = createServer((req, res) => {
      try {
        this.handle(req, res)
      } catch (err) {
        // Nothing may escape a request handler: answer 500 (or drop the connection) instead.
        this.logger.warn('metrics: handler failed', { err: err instanceof Error ? err.message : String(err) })
        if (!res.headersSent) this.reply(res, 500, 'internal error\n')
        else res.destroy()
      }
    })
    server.keepAliveTimeout = 5_000
    server.requestTimeout = 10_000
    server.headersTimeout = 10_000
    server.on('clientError', (err, socket) => {
      this.logger.debug('metrics: bad request', { err: err.message })
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      else socket.destroy()
    })
    this.server = server
    // The guard owns the port (connection caps, idle timeout) and hands each connection it keeps to the HTTP server.
    const guard = new ConnectionGuard({ logger: this.logger, ...(this.guardMetrics === undefined ? {} : { metrics: this.guardMetrics }) }, {
      part: 'metrics',
      host: this.host,
      port: this.port,
      maxConnections: this.init.maxConnections ?? 64,
      maxConnectionsPerAddress: this.init.maxConnectionsPerAddress ?? 16,
      idleTimeoutMs: this.init.idleTimeoutMs ?? 30_000,
      metricPrefix: 'clusterfunk_cluster_metrics_http'
    }, socket => { server.emit('connection', socket) })
    this.guard = guard
    try {
      await raceSignal(guard.start(), options.signal)
    } catch (err) {
      // The documented error is the listen error itself (EADDRINUSE), as before the guard.
      throw err instanceof PortInUseError && err.cause instanceof Error ? err.cause : err
    }
    this.bound = guard.address()
    this.logger.debug('metrics server listening', { url: this.url() })
  }

  protected async onStop (): Promise<void> {
    const server = this.server
    const guard = this.guard
    this.server = undefined
    this.guard = undefined
    this.bound = undefined
    this.statusPage?.close()
    server?.closeAllConnections()
    await guard?.stop()
  }

  private handle (req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0] ?? ''
    const known = path === this.path || path === '/health' || (path === '/ready' && this.readiness !== undefined) || this.statusPage?.handles(path) === true
    if (!known) {
      this.reply(res, 404, 'not found\n')
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      this.reply(res, 405, 'method not allowed\n')
      return
    }
    if (path === '/health' && path !== this.path) {
      this.replyJson(req, res, 200, HEALTH_BODY)
      return
    }
    if (path === '/ready' && path !== this.path && this.readiness !== undefined) {
      const r = this.readiness()
      this.replyJson(req, res, r.ready ? 200 : 503, readinessBody(r))
      return
    }
    if (path !== this.path && this.statusPage !== undefined) {
      this.statusPage.serve(path, req, res)
      return
    }
    this.metrics.exposition().then(body => {
      res.writeHead(200, { 'Content-Type': this.metrics.contentType, 'Content-Length': Buffer.byteLength(body) })
      res.end(req.method === 'HEAD' ? undefined : body)
    }, (err: unknown) => {
      this.logger.warn('metrics: collecting failed', { err: err instanceof Error ? err.message : String(err) })
      this.reply(res, 500, 'collecting metrics failed\n')
    })
  }

  private replyJson (req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  private reply (res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
    res.end(text)
  }
}
