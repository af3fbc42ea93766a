import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { InvalidConfigError, type Logger } from '@clusterfunk/core'
import { packageRoot } from '../package-root.js'
import type { StatusEvent, StatusPageSource } from './status-types.js'

/** Options of a `StatusPage`; every one optional. */
export interface StatusPageInit {
  /** Event streams (`/status/events`) open at once; more get 503. Default 8. */
  maxStreams?: number
  /** A snapshot goes down each stream at least this often (ms). Default 1 000. */
  refreshMs?: number
  /** A stream whose client reads slower than this many bytes behind is closed. Default 1 MiB. */
  maxBufferedBytes?: number
}

export const STATUS_PAGE_DEFAULTS = { maxStreams: 8, refreshMs: 1_000, maxBufferedBytes: 1 << 20, snapshotDelayMs: 50 } as const

/** The page's one file, shipped in the package (`status/index.html`) and served as is. */
function pageFile (): string {
  const { root } = packageRoot()
  if (root === undefined) throw new Error('the status page file was not found: @clusterfunk/cluster is not installed beside this module')
  return join(root, 'status', 'index.html')
}

interface Stream {
  res: ServerResponse
  unsubscribe: () => void
  refresh: ReturnType<typeof setInterval>
  pending: ReturnType<typeof setTimeout> | undefined
}

/**
 * The live status page under `/status`: the page (`/status`), a JSON
 * snapshot (`/status/data`) and a server-sent event stream
 * (`/status/events`: a `snapshot` on connect, on each change and every
 * `refreshMs`, and a `cluster` event for each node event). Streams are
 * capped at `maxStreams`; a stream whose reader falls `maxBufferedBytes`
 * behind is closed.
 */
export class StatusPage {
  private readonly source: StatusPageSource
  private readonly logger: Logger
  private readonly maxStreams: number
  private readonly refreshMs: number
  private readonly maxBufferedBytes: number
  private readonly streams = new Set<Stream>()
  private page: Buffer | undefined

  constructor (components: { source: StatusPageSource, logger: Logger }, init: StatusPageInit = {}) {
    this.source = components.source
    this.logger = components.logger
    this.maxStreams = init.maxStreams ?? STATUS_PAGE_DEFAULTS.maxStreams
    this.refreshMs = init.refreshMs ?? STATUS_PAGE_DEFAULTS.refreshMs
    this.maxBufferedBytes = init.maxBufferedBytes ?? STATUS_PAGE_DEFAULTS.maxBufferedBytes
    if (!Number.isInteger(this.maxStreams) || this.maxStreams < 1 || this.maxStreams > 1_000) throw new InvalidConfigError('maxStreams', 'must be an integer in 1..1000')
    if (!Number.isInteger(this.refreshMs) || this.refreshMs < 100 || this.refreshMs > 60_000) throw new InvalidConfigError('refreshMs', 'must be an integer in 100..60000')
    if (!Number.isInteger(this.maxBufferedBytes) || this.maxBufferedBytes < 1_024) throw new InvalidConfigError('maxBufferedBytes', 'must be an integer of 1024 or more')
  }

  /** Event streams open now. */
  get openStreams (): number { return this.streams.size }

  /** True when `path` is one of the page's. */
  handles (path: string): boolean {
    return path === '/status' || path === '/status/' || path === '/status/data' || path === '/status/events'
  }

  /** Answers a GET or HEAD for one of the page's paths. */
  serve (path: string, req: IncomingMessage, res: ServerResponse): void {
    const head = req.method === 'HEAD'
    if (path === '/status/data') {
      const body = `${JSON.stringify(this.source.snapshot())}\n`
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' })
      res.end(head ? undefined : body)
      return
    }
    if (path === '/status/events') {
      this.openStream(req, res)
      return
    }
    this.page ??= readFileSync(pageFile())
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': this.page.length, 'Cache-Control': 'no-cache' })
    res.end(head ? undefined : this.page)
  }

  /** Ends every open stream (the server is stopping). */
  close (): void {
    for (const s of [...this.streams]) this.end(s)
  }

  private openStream (req: IncomingMessage, res: ServerResponse): void {
    if (this.streams.size >= this.maxStreams) {
      const text = `too many status streams open (at most ${this.maxStreams})\n`
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Retry-After': '5' })
      res.end(text)
      return
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' })
    if (req.method === 'HEAD') { res.end(); return }
    res.socket?.setNoDelay(true)
    const stream: Stream = {
      res,
      unsubscribe: () => {},
      refresh: setInterval(() => { this.sendSnapshot(stream) }, this.refreshMs),
      pending: undefined
    }
    stream.refresh.unref()
    this.streams.add(stream)
    res.on('close', () => { this.end(stream) })
    this.write(stream, `retry: 2000\n\n`)
    this.sendSnapshot(stream)
    for (const e of this.source.recentEvents()) this.sendEvent(stream, e)
    stream.unsubscribe = this.source.subscribe(e => {
      this.sendEvent(stream, e)
      // Changes come in bursts (a kill: leave, dead, a new map): one snapshot after the burst.
      if (stream.pending === undefined && this.streams.has(stream)) {
        stream.pending = setTimeout(() => { stream.pending = undefined; this.sendSnapshot(stream) }, STATUS_PAGE_DEFAULTS.snapshotDelayMs)
        stream.pending.unref()
      }
    })
  }

  private sendSnapshot (stream: Stream): void {
    try {
      this.write(stream, `event: snapshot\ndata: ${JSON.stringify(this.source.snapshot())}\n\n`)
    } catch (err) {
      this.logger.warn('status page: snapshot failed', { err: err instanceof Error ? err.message : String(err) })
    }
  }

  private sendEvent (stream: Stream, e: StatusEvent): void {
    this.write(stream, `event: cluster\ndata: ${JSON.stringify(e)}\n\n`)
  }

  private write (stream: Stream, text: string): void {
    if (!this.streams.has(stream)) return
    const { res } = stream
    if (res.writableLength > this.maxBufferedBytes) {
      this.logger.debug('status page: a slow reader fell behind, stream closed')
      this.end(stream)
      return
    }
    res.write(text)
  }

  private end (stream: Stream): void {
    if (!this.streams.delete(stream)) return
    clearInterval(stream.refresh)
    if (stream.pending !== undefined) clearTimeout(stream.pending)
    stream.unsubscribe()
    if (!stream.res.writableEnded) stream.res.end()
  }
}
