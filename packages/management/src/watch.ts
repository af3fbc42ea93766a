import { status as Code, type ServerWritableStream } from '@grpc/grpc-js'
import { EventOverflowError, type Clock, type Counter, type TimerHandle } from '@clusterfunk/core'
import { peerIp } from './auth.js'
import { encodeEvent } from './codec.js'
import { ManagementError } from './errors.js'
import type { Wire } from './proto.js'
import type { ManagementSource } from './source.js'

/** The bounds on WatchEvents streams. */
export interface WatchLimits {
  /** Streams open at once, in all. */
  maxWatchers: number
  /** Streams open at once over one client connection (one peer `ip:port`). */
  maxPerClient: number
  /** Streams open at once from one IP address, over all its connections. */
  maxPerAddress: number
  /** A stream whose consumer has not taken what was sent for this long is ended (ms). */
  stallMs: number
}

/** A stream ended for its consumer's sake: it stopped reading. */
export class SlowConsumerError extends ManagementError {
  constructor (message: string) {
    super(message, Code.RESOURCE_EXHAUSTED, 'OVERFLOW')
    this.name = 'SlowConsumerError'
  }
}

interface Slot { controller: AbortController, client: string, address: string }

/**
 * The WatchEvents streams of one server, within `WatchLimits`. A stream
 * that would pass a cap is refused with RESOURCE_EXHAUSTED; a stream whose
 * consumer stops reading is ended with RESOURCE_EXHAUSTED once it has not
 * drained for `stallMs`, or once the node's buffer for it overflows, and the
 * eviction is counted — so streams that never read cannot hold slots while
 * events flow, and one caller cannot take every slot while they do not.
 */
export class WatchStreams {
  private readonly limits: WatchLimits
  private readonly clock: Clock
  private readonly evictions: Counter
  private readonly slots = new Set<Slot>()

  constructor (limits: WatchLimits, clock: Clock, evictions: Counter) {
    this.limits = limits
    this.clock = clock
    this.evictions = evictions
  }

  /** Streams open now. */
  get size (): number {
    return this.slots.size
  }

  /** Ends every stream (the server stops). */
  abortAll (): void {
    for (const slot of this.slots) slot.controller.abort()
    this.slots.clear()
  }

  /**
   * Streams `source`'s events to `call` until the client cancels, the
   * server stops, or the consumer stalls.
   * @throws ManagementError RESOURCE_EXHAUSTED when a cap is reached or the consumer stalled
   */
  async serve (call: ServerWritableStream<Wire, Wire>, source: ManagementSource): Promise<void> {
    const slot = this.take(call.getPeer())
    const signal = slot.controller.signal
    const onCancel = (): void => { slot.controller.abort() }
    call.on('cancelled', onCancel)
    call.on('error', onCancel)
    try {
      for await (const event of source.events({ signal })) {
        if (signal.aborted) break
        if (!call.write(encodeEvent(event))) await this.drained(call, signal)
      }
    } catch (err) {
      if (err instanceof EventOverflowError) {
        this.evictions.inc({ reason: 'backlog' })
        throw new SlowConsumerError(`the consumer fell behind by more events than the node keeps: ${err.message}`)
      }
      throw err
    } finally {
      this.slots.delete(slot)
      call.off('cancelled', onCancel)
      call.off('error', onCancel)
    }
  }

  private take (peer: string): Slot {
    const address = peerIp(peer)
    let fromClient = 0
    let fromAddress = 0
    for (const s of this.slots) {
      if (s.client === peer) fromClient++
      if (s.address === address) fromAddress++
    }
    const l = this.limits
    if (this.slots.size >= l.maxWatchers) throw new ManagementError(`more than ${l.maxWatchers} event streams are open`, Code.RESOURCE_EXHAUSTED, 'OVERFLOW')
    if (fromAddress >= l.maxPerAddress) throw new ManagementError(`more than ${l.maxPerAddress} event streams are open from ${address}`, Code.RESOURCE_EXHAUSTED, 'OVERFLOW')
    if (fromClient >= l.maxPerClient) throw new ManagementError(`more than ${l.maxPerClient} event streams are open on this connection`, Code.RESOURCE_EXHAUSTED, 'OVERFLOW')
    const slot = { controller: new AbortController(), client: peer, address }
    this.slots.add(slot)
    return slot
  }

  /** Resolves when `call` drained or `signal` fired. @throws SlowConsumerError after `stallMs` without a drain */
  private async drained (call: ServerWritableStream<Wire, Wire>, signal: AbortSignal): Promise<void> {
    let timer: TimerHandle | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        const done = (): void => { call.off('drain', done); signal.removeEventListener('abort', done); resolve() }
        call.on('drain', done)
        signal.addEventListener('abort', done, { once: true })
        timer = this.clock.setTimeout(() => {
          call.off('drain', done)
          signal.removeEventListener('abort', done)
          this.evictions.inc({ reason: 'stalled' })
          reject(new SlowConsumerError(`the consumer took nothing for ${this.limits.stallMs} ms`))
        }, this.limits.stallMs)
        timer.unref?.()
      })
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer)
    }
  }
}
