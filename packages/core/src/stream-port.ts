import { ClusterfunkError } from './errors.js'
import type { PortAddress } from './packet-port.js'
import type { AbortOptions } from './abort.js'
import type { Metrics } from './metrics.js'

/**
 * The stream port: what a driver needs of TCP. The real one (`tcpPorts`)
 * is `node:net` behind a `ConnectionGuard`; a simulated one is handed out
 * by `@clusterfunk/sim`'s `SimHost`. Bytes arrive reliably and in order
 * while a connection lives, possibly split or joined into other chunks than
 * they were written in: a reader frames them itself.
 */

/** One end of an open connection. */
export interface StreamConnection {
  /** The address this end is bound to (the listener's address for an accepted connection). */
  readonly local: PortAddress
  /** The other end. */
  readonly remote: PortAddress
  /**
   * Queues `bytes` for the peer. Writes are bounded: once more than the
   * port's write buffer (`DEFAULT_MAX_WRITE_BUFFER_BYTES` for real ports)
   * waits unsent, the connection is destroyed with a `StreamOverflowError`
   * instead of buffering without limit. Writing on a closed connection
   * does nothing.
   */
  write: (bytes: Uint8Array) => void
  /** Writes `bytes` (if any), then closes this side once they are sent; the peer reads everything first. Idempotent. */
  end: (bytes?: Uint8Array) => void
  /** Closes at once, discarding what is queued either way. Idempotent. */
  destroy: () => void
  /** Adds a handler of arriving bytes. */
  onData: (handler: (chunk: Buffer) => void) => void
  /** Adds a handler run once when the connection is closed, with the error that closed it, if any. */
  onClose: (handler: (err?: Error) => void) => void
}

/** Caps a listener enforces, as a `ConnectionGuard` does. */
export interface StreamListenInit {
  /** What listens, for errors, logs and metrics: `'swim'`. */
  part: string
  host: string
  /** 0 takes a free port. */
  port: number
  /** Most connections open at once; more are closed on accept and counted. */
  maxConnections?: number
  /** Most connections open at once from one remote host. */
  maxConnectionsPerAddress?: number
  /** A connection with no byte either way for this long is closed (ms). */
  idleTimeoutMs?: number
  /** Prefix of the listener's metric series. Default `clusterfunk_<part>`. */
  metricPrefix?: string
  /** Where the listener's series go. Default none. */
  metrics?: Metrics
}

/** A listening address. */
export interface StreamListener {
  readonly address: PortAddress
  /** Connections open now. */
  readonly connections: number
  /** Stops listening and destroys every accepted connection still open. Idempotent. */
  close: () => Promise<void>
}

/** Opens listeners and dials connections. */
export interface StreamPorts {
  /**
   * Listens on `init.host:init.port`, handing every accepted connection
   * within the caps to `onConnection`. Rejects with `PortInUseError` when
   * the port is taken.
   */
  listen: (init: StreamListenInit, onConnection: (conn: StreamConnection) => void) => Promise<StreamListener>
  /**
   * Connects to `host:port`. Rejects with an error whose `code` names the
   * failure (`ECONNREFUSED`, `ECONNRESET`, ...), or with `AbortError` when
   * `signal` fires first (the attempt is abandoned).
   */
  connect: (host: string, port: number, options?: AbortOptions) => Promise<StreamConnection>
}

/** A connection's unsent bytes passed its bound; the connection was destroyed. */
export class StreamOverflowError extends ClusterfunkError {
  static readonly code = 'ERR_STREAM_OVERFLOW'
  constructor (limitBytes: number) {
    super(`more than ${limitBytes} bytes waited unsent; the connection was closed`, StreamOverflowError.code)
    this.name = 'StreamOverflowError'
  }
}
