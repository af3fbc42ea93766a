import { ClusterfunkError, InvalidArgumentError } from '@clusterfunk/core'

/** A compare-and-set write named a revision the key no longer (or never) had. */
export class RevisionMismatchError extends ClusterfunkError {
  static readonly code = 'ERR_REVISION_MISMATCH'
  readonly key: string
  /** The revision the write expected (0: the key must not exist). */
  readonly expected: number
  /** The key's revision when the write was applied (0: it did not exist). */
  readonly actual: number
  constructor (key: string, expected: number, actual: number) {
    super(`key "${key}" is at revision ${actual}, the write expected ${expected}`, RevisionMismatchError.code)
    this.name = 'RevisionMismatchError'
    this.key = key
    this.expected = expected
    this.actual = actual
  }
}

/** A key, value, lock name, or the state as a whole would pass its size limit. */
export class CoordinationLimitError extends InvalidArgumentError {
  /** Which limit: `key`, `value`, `total`, `keys`, `locks`, `waiters`, `name`, `ttl`. */
  readonly limit: string
  constructor (limit: string, message: string) {
    super(message)
    this.name = 'CoordinationLimitError'
    this.limit = limit
  }
}

/** A watch asked to resume from a revision older than the history kept. */
export class CompactedError extends ClusterfunkError {
  static readonly code = 'ERR_COMPACTED'
  /** The revision asked for. */
  readonly revision: number
  /** The oldest revision a watch can resume from now. */
  readonly oldest: number
  constructor (revision: number, oldest: number) {
    super(`revision ${revision} is compacted: a watch resumes from ${oldest} at the oldest`, CompactedError.code)
    this.name = 'CompactedError'
    this.revision = revision
    this.oldest = oldest
  }
}

/** A watcher fell more than its buffer behind and was ended; resume from the revision after its last event. */
export class WatchOverflowError extends ClusterfunkError {
  static readonly code = 'ERR_WATCH_OVERFLOW'
  /** The revision to resume from. */
  readonly resumeFrom: number
  constructor (resumeFrom: number) {
    super(`the watcher fell too far behind; resume from revision ${resumeFrom}`, WatchOverflowError.code)
    this.name = 'WatchOverflowError'
    this.resumeFrom = resumeFrom
  }
}

/** The lock is held and the caller did not wait (or its wait ran out). */
export class LockBusyError extends ClusterfunkError {
  static readonly code = 'ERR_LOCK_BUSY'
  readonly lock: string
  constructor (lock: string, message = `lock "${lock}" is held`) {
    super(message, LockBusyError.code)
    this.name = 'LockBusyError'
    this.lock = lock
  }
}

/** A lease is no longer held: it expired, its holder was declared dead, or it was released. */
export class LockLostError extends ClusterfunkError {
  static readonly code = 'ERR_LOCK_LOST'
  readonly lock: string
  readonly token: number
  constructor (lock: string, token: number, message = `the lease on "${lock}" (token ${token}) is no longer held`) {
    super(message, LockLostError.code)
    this.name = 'LockLostError'
    this.lock = lock
    this.token = token
  }
}
