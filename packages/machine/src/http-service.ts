import http from 'node:http'
import type net from 'node:net'
import { timingSafeEqual, createHash } from 'node:crypto'
import type { ConnState } from './conn-state.js'
import { frameToJson } from './frame-json.js'
import type { AnyMachineNode, ServiceFactory } from './machine-node.js'
import type { ServiceHandler } from './resp-server.js'

/** Largest JSON body a request may send. */
const MAX_BODY_BYTES = 1024 * 1024
/** An HTTP/1 request line; `GET key` alone is an inline RESP command, so the version must be there. */
const HTTP_REQUEST_LINE = /^(GET|POST|HEAD|PUT|DELETE|OPTIONS) \S+ HTTP\/1\.[01]\r?\n/

let nextHttpConnId = 1_000_000_000

function secretMatches (given: string, secret: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(secret).digest())
}

/**
 * An HTTP service on the client port (found by the first bytes of a
 * connection): `GET /metrics` answers the Prometheus text; `POST /` with a
 * JSON array `["SET", "k", "v"]` runs the command and answers
 * `{"result": ...}` or `{"error": "..."}`. With a node secret, commands need
 * `Authorization: Bearer <secret>` (metrics do not: they carry no data).
 */
export function httpService (): ServiceFactory {
  return (node) => new HttpService(node)
}

class HttpService implements ServiceHandler {
  readonly name = 'http'
  private readonly server: http.Server

  constructor (private readonly node: AnyMachineNode) {
    this.server = http.createServer((req, res) => { this.handle(req, res).catch(() => { res.destroy() }) })
    this.server.headersTimeout = 10_000
    this.server.requestTimeout = 30_000
  }

  sniff (firstBytes: Buffer): boolean {
    return HTTP_REQUEST_LINE.test(firstBytes.subarray(0, 8192).toString('latin1'))
  }

  accept (socket: net.Socket): void {
    this.server.emit('connection', socket)
  }

  close (): void {
    this.server.closeAllConnections()
  }

  private async handle (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: string, type = 'application/json'): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) })
      res.end(body)
    }
    const url = req.url ?? '/'
    if (req.method === 'GET' && url === '/metrics') {
      send(200, await this.node.metrics.text(), this.node.metrics.registry.contentType)
      return
    }
    if (req.method !== 'POST' || url !== '/') {
      send(404, JSON.stringify({ error: 'not found: POST / with a JSON array of arguments, or GET /metrics' }))
      return
    }
    const secret = this.node.options.auth
    const auth = req.headers.authorization
    const authed = secret === undefined || (auth !== undefined && auth.startsWith('Bearer ') && secretMatches(auth.slice(7), secret))
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > MAX_BODY_BYTES) { send(413, JSON.stringify({ error: 'body too large' })); return }
      chunks.push(chunk as Buffer)
    }
    let args: unknown
    try { args = JSON.parse(Buffer.concat(chunks).toString()) } catch { args = undefined }
    if (!Array.isArray(args) || args.length === 0 || !args.every(a => typeof a === 'string' || typeof a === 'number')) {
      send(400, JSON.stringify({ error: 'the body must be a JSON array of strings: ["COMMAND", "arg", ...]' }))
      return
    }
    const conn: ConnState = {
      id: nextHttpConnId++,
      remoteAddress: `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`,
      protocol: 3,
      authed,
      context: undefined,
      name: undefined,
      monitor: false,
      quit: false
    }
    const name = String(args[0]).toLowerCase()
    if (name === 'monitor' || name === 'quit' || name === 'hello' || name === 'auth') {
      send(400, JSON.stringify({ error: `${name.toUpperCase()} is for RESP connections` }))
      return
    }
    const frame = await this.node.execute(conn, args.map(String))
    if (frame.type === 'error' || frame.type === 'bulkError') {
      const text = frameToJson(frame) as { error: string }
      send(/^NOAUTH|^WRONGPASS/.test(text.error) ? 401 : 400, JSON.stringify(text))
      return
    }
    send(200, JSON.stringify({ result: frameToJson(frame) }))
  }
}
