import { AbortError, TimeoutError, type Clock } from '@clusterfunk/core'
import type { Deadlines } from './deadlines.js'

/** A request waiting for the log: settled once, by its outcome, its deadline or its signal. */
export interface Deferred<T> {
  readonly promise: Promise<T>
  readonly settled: boolean
  resolve: (value: T) => void
  reject: (error: Error) => void
}

export interface DeferredOptions {
  clock: Clock
  /** The driver's shared deadline timer. */
  deadlines: Deadlines
  timeoutMs: number
  signal?: AbortSignal | undefined
  /** What timed out, for the `TimeoutError`. */
  what: string
  /** Called once when the request settles in any way (to forget it). */
  onSettle: () => void
}

/** A promise with a deadline (`TimeoutError`) and an `AbortSignal` (`AbortError`). */
export function deferred<T> (options: DeferredOptions): Deferred<T> {
  let resolveFn!: (v: T) => void
  let rejectFn!: (e: Error) => void
  const promise = new Promise<T>((resolve, reject) => { resolveFn = resolve; rejectFn = reject })
  let settled = false
  const deadline: { cancel?: () => void } = {}
  const onAbort = (): void => { d.reject(new AbortError(`${options.what} was aborted`, { cause: options.signal?.reason })) }
  const finish = (): boolean => {
    if (settled) return false
    settled = true
    deadline.cancel?.()
    options.signal?.removeEventListener('abort', onAbort)
    options.onSettle()
    return true
  }
  const d: Deferred<T> = {
    promise,
    get settled () { return settled },
    resolve: (v) => { if (finish()) resolveFn(v) },
    reject: (e) => { if (finish()) rejectFn(e) }
  }
  if (options.signal?.aborted === true) {
    onAbort()
    return d
  }
  deadline.cancel = options.deadlines.add(options.clock.now() + options.timeoutMs, () => {
    d.reject(new TimeoutError(`${options.what} timed out after ${options.timeoutMs} ms`))
  })
  options.signal?.addEventListener('abort', onAbort, { once: true })
  return d
}
