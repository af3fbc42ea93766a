import { delay } from '@clusterfunk/core'

/** One answer of the kv API, with who served it. */
export interface KvReply {
  status: number
  /** The value (GET 200), or the error text. */
  body: string
  /** The node whose store answered (`x-served-by`), if any did. */
  servedBy: string | undefined
  /** The node that forwarded the request there (`x-kv-via`), if it was forwarded. */
  via: string | undefined
  shard: number | undefined
  /** Attempts made (503s are retried). */
  attempts: number
  ms: number
}

export interface KvClientInit {
  /** Attempts per request while the answer is 503 (the node is resharding or the owner just died). Default 5. */
  attempts?: number
  /** Pause between attempts; the server's Retry-After is capped to this. Default 200 ms. */
  retryDelayMs?: number
  /** Deadline of one attempt. Default 5 000 ms. */
  timeoutMs?: number
}

/** A client of one or more kv nodes (any node answers for any key). */
export class KvClient {
  private readonly attempts: number
  private readonly retryDelayMs: number
  private readonly timeoutMs: number

  constructor (init: KvClientInit = {}) {
    this.attempts = init.attempts ?? 5
    this.retryDelayMs = init.retryDelayMs ?? 200
    this.timeoutMs = init.timeoutMs ?? 5_000
  }

  async get (endpoint: string, key: string): Promise<KvReply> {
    return await this.call(endpoint, 'GET', key, undefined)
  }

  async put (endpoint: string, key: string, value: string): Promise<KvReply> {
    return await this.call(endpoint, 'PUT', key, value)
  }

  private async call (endpoint: string, method: string, key: string, value: string | undefined): Promise<KvReply> {
    const started = performance.now()
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(`${endpoint}/kv/${encodeURIComponent(key)}`, {
        method,
        ...(value === undefined ? {} : { body: value }),
        signal: AbortSignal.timeout(this.timeoutMs)
      })
      const body = await res.text()
      if (res.status === 503 && attempt < this.attempts) {
        const hinted = Number(res.headers.get('retry-after') ?? '1') * 1000
        await delay(Math.min(hinted, this.retryDelayMs))
        continue
      }
      const shard = res.headers.get('x-kv-shard')
      return {
        status: res.status,
        body,
        servedBy: res.headers.get('x-served-by') ?? undefined,
        via: res.headers.get('x-kv-via') ?? undefined,
        shard: shard === null ? undefined : Number(shard),
        attempts: attempt,
        ms: performance.now() - started
      }
    }
  }
}
