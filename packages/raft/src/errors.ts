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

/**
 * A proposal's outcome is unknown: its entry may have committed or not
 * (it was replaced here by a snapshot from the leader before this node
 * could see it apply). Unlike `NotLeaderError`, retrying may apply the
 * command twice: read the state first, or make the command idempotent.
 */
export class UnknownOutcomeError extends ClusterfunkError {
  static readonly code = 'ERR_UNKNOWN_OUTCOME'
  /** The log index the entry was appended at. */
  readonly index: number
  constructor (index: number, message = 'the outcome of the proposal is unknown') {
    super(`${message} (entry ${index})`, UnknownOutcomeError.code)
    this.name = 'UnknownOutcomeError'
    this.index = index
  }
}

/**
 * The leader already waits for `maxUncommittedBytes` of its own proposals
 * to commit; it refuses more until some commit (etcd's
 * MaxUncommittedEntriesSize). Nothing was appended: retrying later is safe.
 */
export class ProposalLimitError extends ClusterfunkError {
  static readonly code = 'ERR_PROPOSAL_LIMIT'
  readonly limitBytes: number
  constructor (limitBytes: number) {
    super(`the uncommitted proposals reached their bound of ${limitBytes} bytes`, ProposalLimitError.code)
    this.name = 'ProposalLimitError'
    this.limitBytes = limitBytes
  }
}

/**
 * A membership change named the configuration it was based on
 * (`prevIndex`), and the newest configuration in the log is another one:
 * someone changed the membership meanwhile. Nothing was proposed.
 */
export class ConfigurationChangedError extends ClusterfunkError {
  static readonly code = 'ERR_CONFIGURATION_CHANGED'
  /** The index the caller expected. */
  readonly prevIndex: number
  /** The index of the newest configuration in the log. */
  readonly configurationIndex: number
  constructor (prevIndex: number, configurationIndex: number) {
    super(`the change was based on the configuration at ${prevIndex}, but the newest is at ${configurationIndex}`, ConfigurationChangedError.code)
    this.name = 'ConfigurationChangedError'
    this.prevIndex = prevIndex
    this.configurationIndex = configurationIndex
  }
}
