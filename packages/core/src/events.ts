import { AbortError, ClusterfunkError } from './errors.js'

/** Listener of one event type: receives a `CustomEvent` whose `detail` is the payload. */
export type EventHandler<Detail> = (event: CustomEvent<Detail>) => void

export interface ListenerOptions {
  /** Remove the listener after its first call. */
  once?: boolean
  /** Remove the listener when this signal fires. */
  signal?: AbortSignal
}

/**
 * Typed events, `{ 'node:dead': { id: string } }` style, over an
 * `EventTarget`: listeners receive a `CustomEvent` whose `detail` is the
 * payload. Listeners run synchronously during `emit`, so they must be quick;
 * a consumer that does slow work reads through `eventIterator`, which
 * buffers, so a slow reader never stalls the component that emits.
 */
export class TypedEventEmitter<EventMap extends Record<string, unknown>> {
  private readonly target = new EventTarget()
  private readonly listeners = new Map<string, Set<unknown>>()
  /** `once` listeners are registered wrapped; this finds the wrapper to remove. */
  private readonly onceWrappers = new WeakMap<object, unknown>()

  addEventListener<K extends keyof EventMap & string>(type: K, listener: EventHandler<EventMap[K]>, options: ListenerOptions = {}): void {
    let set = this.listeners.get(type)
    if (set === undefined) {
      set = new Set()
      this.listeners.set(type, set)
    }
    if (set.has(listener)) return
    set.add(listener)
    const forget = (): void => { this.forget(type, listener) }
    const handler = options.once === true
      ? (e: Event) => { forget(); listener(e as CustomEvent<EventMap[K]>) }
      : listener as (e: Event) => void
    if (handler !== listener) this.onceWrappers.set(listener, handler)
    this.target.addEventListener(type, handler, { once: options.once === true })
    if (options.signal !== undefined) {
      options.signal.addEventListener('abort', () => { this.removeEventListener(type, listener) }, { once: true })
    }
  }

  removeEventListener<K extends keyof EventMap & string>(type: K, listener: EventHandler<EventMap[K]>): void {
    if (this.listeners.get(type)?.has(listener) !== true) return
    const handler = this.onceWrappers.get(listener) ?? listener
    this.target.removeEventListener(type, handler as (e: Event) => void)
    this.forget(type, listener)
  }

  /** How many listeners are registered for `type`. */
  listenerCount (type: keyof EventMap & string): number {
    return this.listeners.get(type)?.size ?? 0
  }

  /** Delivers `detail` to the listeners of `type`, synchronously and in registration order. */
  emit<K extends keyof EventMap & string>(type: K, detail: EventMap[K]): void {
    if (this.listenerCount(type) === 0) return
    this.target.dispatchEvent(new CustomEvent(type, { detail }))
  }

  private forget (type: string, listener: unknown): void {
    const set = this.listeners.get(type)
    if (set === undefined) return
    set.delete(listener)
    if (set.size === 0) this.listeners.delete(type)
  }
}

/** The buffer of an event iterator outgrew `maxBuffered`: the reader fell behind and events would be lost. */
export class EventOverflowError extends ClusterfunkError {
  static readonly code = 'ERR_EVENT_OVERFLOW'
  constructor (maxBuffered: number) {
    super(`more than ${maxBuffered} events were waiting to be read; the reader is too slow`, EventOverflowError.code)
    this.name = 'EventOverflowError'
  }
}

export interface EventIteratorOptions {
  signal?: AbortSignal
  /**
   * At most this many unread events are kept. Past it the iterator does not
   * drop events silently: it throws `EventOverflowError` once the buffered
   * ones are read. Default 10 000.
   */
  maxBuffered?: number
}

/**
 * Reads events of the given types as an async iterable of
 * `{ type, detail }`. Events are buffered from the moment this is called,
 * so none are missed between subscribing and the first `next()`. Ends when
 * `signal` fires (after throwing `AbortError` to a waiting reader) or when
 * the consumer breaks out of its loop; the listeners are removed either way.
 */
export function eventIterator<EventMap extends Record<string, unknown>, K extends keyof EventMap & string> (
  emitter: TypedEventEmitter<EventMap>,
  types: K | readonly K[],
  options: EventIteratorOptions = {}
): AsyncIterableIterator<{ type: K, detail: EventMap[K] }> {
  type Item = { type: K, detail: EventMap[K] }
  const list: readonly K[] = typeof types === 'string' ? [types as K] : types as readonly K[]
  const maxBuffered = options.maxBuffered ?? 10_000
  const buffer: Item[] = []
  let waiting: { resolve: (r: IteratorResult<Item>) => void, reject: (e: Error) => void } | undefined
  let failure: Error | undefined
  let done = false

  const onEvent = (event: CustomEvent<EventMap[K]>): void => {
    if (done || failure !== undefined) return
    const item = { type: event.type as K, detail: event.detail }
    if (waiting !== undefined) {
      const w = waiting
      waiting = undefined
      w.resolve({ value: item, done: false })
    } else if (buffer.length >= maxBuffered) {
      failure = new EventOverflowError(maxBuffered)
    } else {
      buffer.push(item)
    }
  }
  const cleanup = (): void => {
    done = true
    for (const t of list) emitter.removeEventListener(t, onEvent as EventHandler<EventMap[K]>)
    options.signal?.removeEventListener('abort', onAbort)
  }
  const onAbort = (): void => {
    failure ??= new AbortError(undefined, { cause: options.signal?.reason })
    cleanup()
    if (waiting !== undefined) {
      const w = waiting
      waiting = undefined
      w.reject(failure)
    }
  }
  for (const t of list) emitter.addEventListener(t, onEvent as EventHandler<EventMap[K]>)
  if (options.signal?.aborted === true) onAbort()
  else options.signal?.addEventListener('abort', onAbort, { once: true })

  const iterator: AsyncIterableIterator<Item> = {
    async next (): Promise<IteratorResult<Item>> {
      const item = buffer.shift()
      if (item !== undefined) return { value: item, done: false }
      if (failure !== undefined) {
        const err = failure
        cleanup()
        throw err
      }
      if (done) return { value: undefined, done: true }
      return await new Promise((resolve, reject) => { waiting = { resolve, reject } })
    },
    async return (): Promise<IteratorResult<Item>> {
      cleanup()
      buffer.length = 0
      return { value: undefined, done: true }
    },
    [Symbol.asyncIterator] () { return iterator }
  }
  return iterator
}
