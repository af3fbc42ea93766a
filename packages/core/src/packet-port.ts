/**
 * The packet port: what a driver needs of a datagram socket. The real one
 * (`udpPorts`) is a `node:dgram` socket; a simulated one is handed out by
 * `@clusterfunk/sim`'s `SimHost`. Drivers take a `PacketPorts` component so
 * the code that ships is the code the simulation runs.
 *
 * Delivery is best effort: a datagram may be lost, duplicated, delayed or
 * reordered, and `send` never reports whether it arrived. Handlers run one
 * at a time on the event loop (on a simulation's event loop for simulated
 * ports), never re-entrantly from inside `send`.
 */

/** An IP literal and a port: where a datagram came from, or where a port is bound. */
export interface PortAddress {
  host: string
  port: number
}

/**
 * Receives one datagram. `bytes` belongs to the handler: nothing else
 * holds it, so the handler may write into it (an endpoint turning a probe
 * into its reply in place). `from` may be reused for the next datagram;
 * copy what you keep.
 */
export type PacketHandler = (bytes: Buffer, from: PortAddress) => void

/** A bound datagram socket. */
export interface PacketPort {
  /** Where it is bound (the real port when 0 was asked). */
  readonly address: PortAddress
  /**
   * Sends `bytes` to `host:port`, fire and forget. The port may read
   * `bytes` after `send` returns (a real socket reads it when the kernel
   * takes it), so a caller must not write into a buffer it already sent.
   * Errors (an unreachable host, a closed port) go to the error handler,
   * never thrown.
   */
  send: (bytes: Uint8Array, host: string, port: number) => void
  /** Sets the handler of arriving datagrams, replacing any earlier one. */
  onMessage: (handler: PacketHandler) => void
  /** Sets the handler of socket errors (a failed send), replacing any earlier one. Default: ignored. */
  onError: (handler: (err: Error) => void) => void
  /** Unbinds; nothing is delivered afterwards. Idempotent. */
  close: () => Promise<void>
}

/** Binds packet ports. */
export interface PacketPorts {
  /**
   * Binds `host:port` exclusively (0 = any free port). Rejects with an
   * error whose `code` is `EADDRINUSE` when the address is taken.
   */
  bind: (host: string, port: number) => Promise<PacketPort>
}
