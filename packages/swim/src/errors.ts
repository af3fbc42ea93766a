import { ClusterfunkError } from '@clusterfunk/core'

/** Why one join address failed. */
export interface JoinFailure {
  address: string
  error: Error
}

/** `join()` could not complete a push/pull with any of the addresses it was given. */
export class JoinError extends ClusterfunkError {
  static readonly code = 'ERR_SWIM_JOIN'
  /** Each address tried and why it failed. */
  readonly failures: readonly JoinFailure[]

  constructor (failures: readonly JoinFailure[]) {
    const detail = failures.map(f => `${f.address}: ${f.error.message}`).join('; ')
    super(`could not join through any of ${failures.length} address(es)${detail === '' ? '' : ` (${detail})`}`, JoinError.code)
    this.name = 'JoinError'
    this.failures = failures
  }
}

/** A stream exchange failed: refused, reset, closed early, or the reply did not open or decode. */
export class StreamError extends ClusterfunkError {
  static readonly code = 'ERR_SWIM_STREAM'
  constructor (message: string, options?: ErrorOptions) {
    super(message, StreamError.code, options)
    this.name = 'StreamError'
  }
}

/** A user event, query or query response too large: over `maxUserPayloadBytes`, or not fitting in one datagram. */
export class PayloadTooLargeError extends ClusterfunkError {
  static readonly code = 'ERR_SWIM_PAYLOAD_TOO_LARGE'
  /** Bytes of the payload (or of the whole message, when it is the datagram that is too small). */
  readonly size: number
  /** The limit it exceeded. */
  readonly limit: number

  constructor (message: string, size: number, limit: number) {
    super(message, PayloadTooLargeError.code)
    this.name = 'PayloadTooLargeError'
    this.size = size
    this.limit = limit
  }
}
