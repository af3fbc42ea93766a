import { ConnectionError } from './errors.js'
import { copyBytes } from './copy-bytes.js'

/** `connecting` until the handshake completes (client ends only), then `open`, then `closed` for good. */
export type ConnectionState = 'connecting' | 'open' | 'closed'

/** What a connection end needs from its network; implemented by `StreamNetwork`. */
export interface ConnectionHost {
  transmit: (from: SimConnection, bytes: Uint8Array) => void
  closeGracefully: (end: SimConnection) => void
  resetPair: (end: SimConnection, reason: string) => void
}

/**
 * One end of a simulated TCP connection carrying framed messages. Messages
 * sent on one end arrive at the other whole, exactly once and in order, a
 * latency later; nothing is lost while the connection lives. Messages sent
 * while `connecting` wait and go out once it opens.
 *
 * Close semantics follow TCP's: `close()` ends this side at once (its close
 * handlers run synchronously with no error; messages still in flight to it
 * are discarded) while the peer first receives everything sent before the
 * close and then closes without error. A reset (a partition, `reset()`, a
 * failed connect) closes both ends at once with a `ConnectionError` and
 * discards everything in flight. Handlers run inside simulation events; an
 * exception from one propagates out of the simulation's `step`.
 */
export class SimConnection {
  /** Unique in its network; appears in trace lines as `c<id>`. */
  readonly id: number
  readonly localAddress: string
  readonly remoteAddress: string
  /** @internal The other end, once the server has accepted. */
  peer: SimConnection | undefined
  /** @internal Delivery time of the last message sent from this end, to keep deliveries in order. */
  lastDeliveryAt = -Infinity
  /** @internal Messages sent while connecting. */
  readonly outbox: Uint8Array[] = []
  private current: ConnectionState
  private readonly messageHandlers: Array<(bytes: Uint8Array) => void> = []
  private readonly openHandlers: Array<() => void> = []
  private readonly closeHandlers: Array<(err?: ConnectionError) => void> = []

  constructor (private readonly host: ConnectionHost, id: number, local: string, remote: string, state: ConnectionState) {
    this.id = id
    this.localAddress = local
    this.remoteAddress = remote
    this.current = state
  }

  get state (): ConnectionState {
    return this.current
  }

  /** Sends one message (copied now). Throws `ConnectionError('EPIPE')` once closed. */
  send (bytes: Uint8Array): void {
    if (this.current === 'closed') throw new ConnectionError('EPIPE', `connection c${this.id} ${this.localAddress}>${this.remoteAddress} is closed`)
    const copy = copyBytes(bytes)
    if (this.current === 'connecting') this.outbox.push(copy)
    else this.host.transmit(this, copy)
  }

  /** Adds a handler of arriving messages; each gets its own copy. */
  onMessage (handler: (bytes: Uint8Array) => void): void {
    this.messageHandlers.push(handler)
  }

  /** Adds a handler run once the connection opens (never for server ends, which start open). */
  onOpen (handler: () => void): void {
    this.openHandlers.push(handler)
  }

  /** Adds a handler run once when the connection closes: no error for an orderly close, a `ConnectionError` otherwise. */
  onClose (handler: (err?: ConnectionError) => void): void {
    this.closeHandlers.push(handler)
  }

  /** Closes this end in order (see the class notes). Idempotent. */
  close (): void {
    if (this.current === 'closed') return
    this.host.closeGracefully(this)
  }

  /** Aborts the connection: both ends close at once with `ECONNRESET`. Idempotent. */
  reset (): void {
    if (this.current === 'closed') return
    this.host.resetPair(this, `connection c${this.id} reset by ${this.localAddress}`)
  }

  /** @internal */
  markOpen (): void {
    if (this.current !== 'connecting') return
    this.current = 'open'
    for (const handler of this.openHandlers) handler()
  }

  /** @internal */
  deliver (bytes: Uint8Array): void {
    if (this.current !== 'open') return
    for (const handler of this.messageHandlers) handler(this.messageHandlers.length > 1 ? copyBytes(bytes) : bytes)
  }

  /** @internal Closes this end only; true when it was not closed yet. */
  markClosed (err?: ConnectionError): boolean {
    if (this.current === 'closed') return false
    this.current = 'closed'
    this.outbox.length = 0
    for (const handler of this.closeHandlers) handler(err)
    return true
  }
}
