/**
 * One class per failure. Callers match on `name` (stable across versions and
 * across process boundaries) or `code`, never on the message.
 */
export class ClusterfunkError extends Error {
  /** A stable, machine-readable identifier of the failure. */
  readonly code: string

  constructor (message: string, code: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ClusterfunkError'
    this.code = code
  }
}

/** The operation needs the leader and this node is not it. */
export class NotLeaderError extends ClusterfunkError {
  static readonly code = 'ERR_NOT_LEADER'
  /** The id of the node this node believes leads, when it knows one. */
  readonly leaderId?: string
  /** An address the leader can be reached at, when known. */
  readonly leaderAddress?: string

  constructor (leaderId?: string, leaderAddress?: string, message = 'this node is not the leader') {
    super(leaderId === undefined ? message : `${message}; the leader is ${leaderId}`, NotLeaderError.code)
    this.name = 'NotLeaderError'
    if (leaderId !== undefined) this.leaderId = leaderId
    if (leaderAddress !== undefined) this.leaderAddress = leaderAddress
  }
}

/** An operation did not finish within its deadline. */
export class TimeoutError extends ClusterfunkError {
  static readonly code = 'ERR_TIMEOUT'
  constructor (message = 'the operation timed out', options?: ErrorOptions) {
    super(message, TimeoutError.code, options)
    this.name = 'TimeoutError'
  }
}

/** An operation was cancelled through its AbortSignal. */
export class AbortError extends ClusterfunkError {
  static readonly code = 'ABORT_ERR'
  constructor (message = 'the operation was aborted', options?: ErrorOptions) {
    super(message, AbortError.code, options)
    this.name = 'AbortError'
  }
}

/** Bytes from the network or the disk that do not decode to a valid message. */
export class DecodeError extends ClusterfunkError {
  static readonly code = 'ERR_DECODE'
  constructor (message: string, options?: ErrorOptions) {
    super(message, DecodeError.code, options)
    this.name = 'DecodeError'
  }
}

/** A configuration value is missing or out of range; the message says what to fix. */
export class InvalidConfigError extends ClusterfunkError {
  static readonly code = 'ERR_INVALID_CONFIG'
  /** The option at fault, such as `'intervalMs'`. */
  readonly option: string
  constructor (option: string, message: string) {
    super(`invalid option ${option}: ${message}`, InvalidConfigError.code)
    this.name = 'InvalidConfigError'
    this.option = option
  }
}

/** A caller passed an argument the operation cannot accept. */
export class InvalidArgumentError extends ClusterfunkError {
  static readonly code = 'ERR_INVALID_ARGUMENT'
  constructor (message: string) {
    super(message, InvalidArgumentError.code)
    this.name = 'InvalidArgumentError'
  }
}

/** The service is not running (never started, or already stopped). */
export class NotStartedError extends ClusterfunkError {
  static readonly code = 'ERR_NOT_STARTED'
  constructor (message = 'the service is not started') {
    super(message, NotStartedError.code)
    this.name = 'NotStartedError'
  }
}

/** True when `err` is an error whose stable `name` is `name`. */
export function isErrorNamed (err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name
}
