import { ClusterfunkError } from '@clusterfunk/core'
import type { QueryResponseMessage } from '@clusterfunk/swim'

/** Options of `Cluster.query`. */
export interface QueryOptions {
  /** Only these nodes answer (all when empty or absent). */
  filterNodes?: readonly string[]
  /** Only nodes whose SWIM tags hold every pair exactly answer (member info is `info.<key>`). */
  filterTags?: Record<string, string>
  /** How long answers are awaited (ms). Default `MESSAGING_DEFAULTS.queryTimeoutMs`. */
  timeoutMs?: number
  /** Ends the iterator early. */
  signal?: AbortSignal
}

/** One answer to a query: an `ack` (the node got it and matches), or a `response` from its handler. */
export interface QueryReply {
  readonly type: 'ack' | 'response'
  readonly from: string
  readonly payload: Uint8Array
}

/** What a query handler gets besides the payload. */
export interface QueryContext {
  readonly name: string
  /** The node that asked. */
  readonly origin: string
  /** Fires when the asker stops waiting. */
  readonly signal: AbortSignal
}

/** Answers a query of one name: what it returns (bytes) goes back to the asker. */
export type QueryHandler = (payload: Uint8Array, context: QueryContext) => Uint8Array | Promise<Uint8Array>

/** A node waits for answers to as many queries as it allows. */
export class TooManyQueriesError extends ClusterfunkError {
  static readonly code = 'ERR_TOO_MANY_QUERIES'
  constructor (limit: number) {
    super(`this node waits for ${limit} queries already`, TooManyQueriesError.code)
    this.name = 'TooManyQueriesError'
  }
}

/**
 * The answers to one query as they come: each responder's ack and
 * response at most once (gossip and retries may bring them twice), at most
 * `maxReplies` buffered for a reader that has not taken them, and done
 * when the query is over: its timeout, its signal, or every node of its
 * node filter responded.
 */
export class QueryReplies implements AsyncIterableIterator<QueryReply> {
  private readonly seen = new Set<string>()
  private readonly buffer: QueryReply[] = []
  private readonly responded = new Set<string>()
  private waiting: ((r: IteratorResult<QueryReply>) => void) | undefined
  private closed = false
  /** Answers dropped as duplicates or beyond the buffer. */
  dropped = 0

  constructor (private readonly maxReplies: number, private readonly expect: ReadonlySet<string> | undefined, private readonly onClose: () => void) {}

  get done (): boolean {
    return this.closed
  }

  /** True once `from` acked or responded. */
  heardFrom (from: string): boolean {
    return this.seen.has(`a\u0000${from}`) || this.responded.has(from)
  }

  /** Takes one answer; a duplicate is dropped. */
  push (r: Pick<QueryResponseMessage, 'from' | 'ack' | 'payload'>): void {
    if (this.closed) return
    const key = `${r.ack ? 'a' : 'r'}\u0000${r.from}`
    if (this.seen.has(key)) { this.dropped++; return }
    if (this.expect !== undefined && !this.expect.has(r.from)) { this.dropped++; return }
    this.seen.add(key)
    const reply: QueryReply = { type: r.ack ? 'ack' : 'response', from: r.from, payload: r.payload }
    if (!r.ack) this.responded.add(r.from)
    if (this.waiting !== undefined) {
      const w = this.waiting
      this.waiting = undefined
      w({ value: reply, done: false })
    } else if (this.buffer.length < this.maxReplies) {
      this.buffer.push(reply)
    } else {
      this.dropped++
    }
    if (this.expect !== undefined && this.expect.size > 0 && this.responded.size >= this.expect.size) this.close()
  }

  /** Ends the answers: the reader gets what is buffered, then done. */
  close (): void {
    if (this.closed) return
    this.closed = true
    this.onClose()
    if (this.waiting !== undefined && this.buffer.length === 0) {
      const w = this.waiting
      this.waiting = undefined
      w({ value: undefined, done: true })
    }
  }

  async next (): Promise<IteratorResult<QueryReply>> {
    const item = this.buffer.shift()
    if (item !== undefined) return { value: item, done: false }
    if (this.closed) return { value: undefined, done: true }
    return await new Promise(resolve => { this.waiting = resolve })
  }

  async return (): Promise<IteratorResult<QueryReply>> {
    this.buffer.length = 0
    this.close()
    return { value: undefined, done: true }
  }

  [Symbol.asyncIterator] (): AsyncIterableIterator<QueryReply> {
    return this
  }
}
