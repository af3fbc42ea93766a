import { ClusterfunkError, TERMS } from '@clusterfunk/core'

/**
 * A membership change was proposed while another is not yet committed, or
 * before the leader has committed an entry of its own term (the guard that
 * makes single-server changes safe across leader changes).
 */
export class ConfigChangeInProgressError extends ClusterfunkError {
  static readonly code = 'ERR_CONFIG_CHANGE_IN_PROGRESS'
  constructor (message = 'a configuration change is still uncommitted') {
    super(message, ConfigChangeInProgressError.code)
    this.name = 'ConfigChangeInProgressError'
  }
}

/** The leader is handing leadership over and accepts no proposals meanwhile. */
export class LeadershipTransferInProgressError extends ClusterfunkError {
  static readonly code = 'ERR_LEADERSHIP_TRANSFER_IN_PROGRESS'
  /** The node leadership is being transferred to. */
  readonly transferee: string
  constructor (transferee: string) {
    super(`leadership is being transferred to ${transferee}`, LeadershipTransferInProgressError.code)
    this.name = 'LeadershipTransferInProgressError'
    this.transferee = transferee
  }
}

/**
 * The stored term is outside the term range (0..TERMS.max), as a forged
 * message could leave it before terms were range-checked. The node cannot
 * start: lowering the term could let it vote twice in one term. Discard its
 * state (log, hard state, snapshots) and add it back as a new member.
 */
export class TermOutOfRangeError extends ClusterfunkError {
  static readonly code = 'ERR_TERM_OUT_OF_RANGE'
  readonly term: number
  constructor (term: number) {
    super(`the stored term ${term} is outside the term range 0..${TERMS.max}; discard this node's state and add it back as a new member`, TermOutOfRangeError.code)
    this.name = 'TermOutOfRangeError'
    this.term = term
  }
}
