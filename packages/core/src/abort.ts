import { systemClock, type Clock } from './clock.js'
import { AbortError, TimeoutError } from './errors.js'

/** Every async operation that can be cancelled takes these options. */
export interface AbortOptions {
  signal?: AbortSignal
}

/** Throws an `AbortError` if `signal` has already fired. */
export function throwIfAborted (signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason })
}

/**
 * Settles with `promise`, or rejects with `AbortError` when `signal` fires
 * first. The underlying operation is not cancelled; only the wait is.
 */
export async function raceSignal<T> (promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return await promise
  throwIfAborted(signal)
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => { reject(new AbortError(undefined, { cause: signal.reason })) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([promise, aborted])
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
  }
}

/** Options of `delay`. */
export interface DelayOptions extends AbortOptions {
  /** The clock to wait on. Default `systemClock`, whose timer keeps the process alive while it waits. */
  clock?: Clock
}

/** Resolves after `ms` milliseconds of `clock`; rejects with `AbortError` if `signal` fires first. */
export async function delay (ms: number, options: DelayOptions = {}): Promise<void> {
  throwIfAborted(options.signal)
  const clock = options.clock ?? systemClock
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer)
      reject(new AbortError(undefined, { cause: options.signal?.reason }))
    }
    const timer = clock.setTimeout(() => {
      options.signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    // A caller awaiting a delay on real time expects the process to live until it ends.
    if (clock === systemClock) (timer as { ref?: () => void }).ref?.()
    options.signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export interface WaitForOptions extends DelayOptions {
  /** Give up after this long. Default 10 000 ms. */
  timeoutMs?: number
  /** How often to check. Default 10 ms. */
  intervalMs?: number
  /** Says what was awaited, in the `TimeoutError`. */
  what?: string
}

/**
 * Checks `condition` until it returns a value other than `false`/`undefined`
 * and resolves with that value; rejects with `TimeoutError` once `timeoutMs`
 * has passed on `clock` (default real time). The bounded way to wait for
 * something to become true.
 */
export async function waitFor<T> (condition: () => T | false | undefined | Promise<T | false | undefined>, options: WaitForOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const intervalMs = options.intervalMs ?? 10
  const clock = options.clock ?? systemClock
  const deadline = clock.now() + timeoutMs
  for (;;) {
    const value = await condition()
    if (value !== false && value !== undefined) return value
    if (clock.now() >= deadline) {
      throw new TimeoutError(`timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}`)
    }
    await delay(intervalMs, options)
  }
}
