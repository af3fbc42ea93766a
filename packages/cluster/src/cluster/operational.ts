import { AbortError, InvalidArgumentError, TimeoutError, type Clock, type EventHandler, type TimerHandle } from '@clusterfunk/core'
import type { ClusterState } from '@clusterfunk/management'
import type { ClusterEvents } from './types.js'

/** Options of `Cluster.whenOperational`. */
export interface WhenOperationalOptions {
  /** Gives up with `AbortError` when it fires. */
  signal?: AbortSignal
  /** Gives up with `TimeoutError` after this long (ms). Default: wait as long as it takes. */
  timeoutMs?: number
}

/** What `whenOperational` reads of a node: its state and its `state:change` event. */
export interface StateSource {
  readonly state: ClusterState
  addEventListener: (type: 'state:change', listener: EventHandler<ClusterEvents['state:change']>) => void
  removeEventListener: (type: 'state:change', listener: EventHandler<ClusterEvents['state:change']>) => void
}

/**
 * Resolves when `node` is Operational: at once when it already is, else on
 * the `state:change` that makes it so. Rejects with `TimeoutError` after
 * `timeoutMs` on `clock`, with `AbortError` when `signal` fires; either way its
 * listener and timer are gone when it settles.
 * @throws InvalidArgumentError (rejects) for a negative or non-finite timeoutMs
 */
export async function whenOperational (node: StateSource, clock: Clock, options: WhenOperationalOptions = {}): Promise<void> {
  const { signal, timeoutMs } = options
  if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs < 0)) {
    throw new InvalidArgumentError('timeoutMs must be a finite number of milliseconds, 0 or more')
  }
  if (signal?.aborted === true) throw new AbortError('gave up waiting for Operational: the signal fired')
  if (node.state === 'Operational') return
  await new Promise<void>((resolve, reject) => {
    let timer: TimerHandle | undefined
    const done = (): void => {
      node.removeEventListener('state:change', onState)
      signal?.removeEventListener('abort', onAbort)
      if (timer !== undefined) clock.clearTimeout(timer)
    }
    const onState: EventHandler<ClusterEvents['state:change']> = (e) => {
      if (e.detail.state !== 'Operational') return
      done()
      resolve()
    }
    const onAbort = (): void => {
      done()
      reject(new AbortError('gave up waiting for Operational: the signal fired'))
    }
    node.addEventListener('state:change', onState)
    signal?.addEventListener('abort', onAbort, { once: true })
    if (timeoutMs !== undefined) {
      timer = clock.setTimeout(() => {
        done()
        reject(new TimeoutError(`the node was not Operational within ${timeoutMs} ms (it is ${node.state})`))
      }, timeoutMs)
    }
  })
}
