import type { Clock, TimerHandle } from '@clusterfunk/core'
import { MAX_READ_RETRIES } from './constants.js'
import type { Deadlines } from './deadlines.js'
import { deferred, type Deferred } from './deferred.js'
import type { PendingRequests } from './pending-requests.js'
import type { RequestOptions } from './raft-types.js'
import type { RequestResult } from './status.js'

export interface ReadBatchesInit {
  readonly clock: Clock
  readonly deadlines: Deadlines
  readonly pending: PendingRequests
  readonly requestTimeoutMs: number
  /** A request not answered after this long is asked again (lost on the way, or its leader is gone). */
  readonly retryMs: number
  /** A fresh request id. */
  readonly nextId: () => string
  /** Hands one ReadIndex request to the core (a follower sends it to its leader) and runs the loop. */
  readonly request: (requestId: string, lease: boolean) => RequestResult
}

/** The reads waiting for the next request: they all arrived before it is made. */
interface Batch {
  readonly lease: boolean
  readonly waiters: Array<Deferred<number>>
  timeoutMs: number
}

/**
 * Linearizable reads batched into shared ReadIndex requests (etcd's
 * linearizable read loop): the reads that arrive before the current task
 * ends share one request, made once it ends, so one confirmation round
 * (and, on a follower, one message to the leader) serves them all. A read
 * only joins a request not yet made: a read that arrives while a request is
 * in flight waits for the next, so the round that serves it starts after it
 * arrived, and its read index — the leader's commit index when the round
 * starts — covers every write acknowledged before the read.
 *
 * A request not answered within `retryMs` is made again with the same id
 * (at most `MAX_READ_RETRIES` times, within its deadline): a follower's
 * request or the leader's answer may be lost, and a new leader never saw
 * it. Any answer to that id comes from a round that started after its reads
 * arrived, so whichever comes first serves them.
 */
export class ReadBatches {
  private readonly init: ReadBatchesInit
  /** The batch collecting reads now, per `lease` flag. */
  private readonly open = new Map<boolean, Batch>()

  constructor (init: ReadBatchesInit) {
    this.init = init
  }

  /** Resolves with the read index once it is applied here (rejects with the request's error, a timeout or an abort). */
  async read (lease: boolean, options: RequestOptions): Promise<number> {
    const timeoutMs = options.timeoutMs ?? this.init.requestTimeoutMs
    const d = deferred<number>({ clock: this.init.clock, deadlines: this.init.deadlines, timeoutMs, signal: options.signal, what: 'read', onSettle: () => {} })
    if (d.settled) return await d.promise
    let batch = this.open.get(lease)
    if (batch === undefined) {
      const b: Batch = { lease, waiters: [], timeoutMs }
      batch = b
      this.open.set(lease, b)
      queueMicrotask(() => { this.issue(b) })
    }
    batch.waiters.push(d)
    batch.timeoutMs = Math.max(batch.timeoutMs, timeoutMs)
    return await d.promise
  }

  private issue (batch: Batch): void {
    if (this.open.get(batch.lease) === batch) this.open.delete(batch.lease)
    if (batch.waiters.every(w => w.settled)) return
    const requestId = this.init.nextId()
    const first = this.ask(requestId, batch.lease)
    if (!first.ok) {
      for (const w of batch.waiters) w.reject(first.error)
      return
    }
    let retries = 0
    let timer: TimerHandle | undefined
    const retry = (): void => {
      timer = this.init.clock.setTimeout(() => {
        timer = undefined
        if (!this.init.pending.readUnanswered(requestId) || retries >= MAX_READ_RETRIES) return
        retries++
        // No leader known right now: the next retry (or the deadline) decides.
        this.ask(requestId, batch.lease)
        retry()
      }, this.init.retryMs)
    }
    retry()
    this.init.pending.read(requestId, { timeoutMs: batch.timeoutMs }).then((index) => {
      for (const w of batch.waiters) w.resolve(index)
    }, (err: Error) => {
      for (const w of batch.waiters) w.reject(err)
    }).finally(() => {
      if (timer !== undefined) this.init.clock.clearTimeout(timer)
    })
  }

  private ask (requestId: string, lease: boolean): { ok: true } | { ok: false, error: Error } {
    try {
      return this.init.request(requestId, lease)
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err : new Error(String(err)) }
    }
  }
}
