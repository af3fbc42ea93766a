
import { COORDINATION_DEFAULTS } from './constants.js'
import { WatchOverflowError } from './errors.js'
import type { CoordinationReplica } from './replica.js'
import type { StateEvent } from './state-store.js'

/** Options of a watch. */
export interface WatchOptions {
  /** Start from this revision (it and every later write): from history, then live. Default: the next write. */
  fromRevision?: number
  /** Ends the watch (the iterator returns). */
  signal?: AbortSignal
  /** Events buffered before the watcher is ended with `WatchOverflowError`. Default 1 024. */
  bufferSize?: number
}

/**
 * Every write under `prefix` applied on `replica`, each once and in
 * revision order: first those kept in history from `fromRevision`, then
 * each as it applies. A replica replaced by a snapshot is caught up from
 * its history. Ends when `signal` fires.
 * @throws CompactedError (on the first `next()`) when `fromRevision` is older than the history kept
 * @throws WatchOverflowError when the consumer fell `bufferSize` events behind (resume from its `resumeFrom`)
 */
export async function * watchReplica (replica: () => CoordinationReplica | undefined, prefix: string, options: WatchOptions = {}): AsyncGenerator<StateEvent, void, undefined> {
  const bound = options.bufferSize ?? COORDINATION_DEFAULTS.watchBuffer
  const signal = options.signal
  let r = replica()
  if (r === undefined) return
  const queue: StateEvent[] = []
  let failure: Error | undefined
  let wake: (() => void) | undefined
  // Every write up to `cursor` was considered (queued when under the prefix).
  let cursor = 0
  let delivered = 0
  const push = (events: StateEvent[]): void => {
    for (const e of events) {
      if (e.revision <= cursor) continue
      cursor = e.revision
      if (!e.key.startsWith(prefix)) continue
      if (queue.length >= bound) failure ??= new WatchOverflowError(delivered + 1)
      else queue.push(e)
    }
    wake?.()
  }
  const start = options.fromRevision ?? 0
  const unlisten = r.listen({
    state: e => { push([e]) },
    restored: () => {
      const now = replica()
      if (now === undefined) return
      try {
        push(now.store.since(cursor + 1))
      } catch (err) {
        failure ??= err as Error
      }
      cursor = Math.max(cursor, now.store.revision)
      wake?.()
    }
  })
  const onAbort = (): void => { wake?.() }
  signal?.addEventListener('abort', onAbort)
  try {
    if (start > 0) {
      cursor = start - 1
      push(r.store.since(start, ''))
    } else {
      cursor = r.store.revision
    }
    delivered = cursor
    for (;;) {
      if (signal?.aborted === true) return
      const next = queue.shift()
      if (next !== undefined) {
        delivered = next.revision
        yield next
        continue
      }
      if (failure !== undefined) throw failure
      await new Promise<void>(resolve => { wake = resolve })
      wake = undefined
      r = replica() ?? r
    }
  } finally {
    unlisten()
    signal?.removeEventListener('abort', onAbort)
  }
}

