import { ClusterfunkError } from '@clusterfunk/core'

/** Why a simulated connection or socket operation failed; mirrors the errno names of Node's `net`. */
export type ConnectionErrorCode = 'ECONNREFUSED' | 'ECONNRESET' | 'ETIMEDOUT' | 'EPIPE' | 'EADDRINUSE' | 'EADDRNOTAVAIL'

/**
 * A simulated network operation failed: connecting to an address nobody
 * listens on (`ECONNREFUSED`), connecting across a partition (`ETIMEDOUT`),
 * a connection reset by a partition or `reset()` (`ECONNRESET`), sending on
 * a closed connection or socket (`EPIPE`), binding a bound address
 * (`EADDRINUSE`), binding an address the host does not have (`EADDRNOTAVAIL`).
 * `code` is the errno name.
 */
export class ConnectionError extends ClusterfunkError {
  declare readonly code: ConnectionErrorCode
  constructor (code: ConnectionErrorCode, message: string) {
    super(`${code}: ${message}`, code)
    this.name = 'ConnectionError'
  }
}

/** Why a simulated disk operation failed: an injected fault (`EIO`) or a missing file (`ENOENT`). */
export type DiskErrorCode = 'EIO' | 'ENOENT'

/** A simulated disk operation failed; nothing of the failed operation was applied. */
export class DiskIoError extends ClusterfunkError {
  declare readonly code: DiskErrorCode
  constructor (code: DiskErrorCode, message: string) {
    super(`${code}: ${message}`, code)
    this.name = 'DiskIoError'
  }
}

/**
 * A simulation ran more events than its limit without reaching the end of
 * the requested run: usually a callback that reschedules itself with zero
 * delay, so virtual time never moves.
 */
export class SimulationLimitError extends ClusterfunkError {
  static readonly code = 'ERR_SIM_LIMIT'
  constructor (message: string) {
    super(message, SimulationLimitError.code)
    this.name = 'SimulationLimitError'
  }
}

/** A scenario failed under one seed. The message carries the seed and the command that replays it. */
export class SeedFailureError extends ClusterfunkError {
  static readonly code = 'ERR_SIM_SEED_FAILED'
  /** The seed the scenario failed under. */
  readonly seed: number
  /** A shell command that runs exactly this seed again. */
  readonly replayCommand: string

  constructor (message: string, seed: number, replayCommand: string, cause: unknown) {
    super(message, SeedFailureError.code, { cause })
    this.name = 'SeedFailureError'
    this.seed = seed
    this.replayCommand = replayCommand
  }
}
