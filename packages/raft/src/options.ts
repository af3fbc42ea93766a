import { InvalidConfigError, type Logger, type Random } from '@clusterfunk/core'
import type { NodeId } from './configuration.js'
import * as defaults from './constants.js'
import type { Storage } from './storage.js'

/** How to build a `RaftCore`. Times are in ticks: the driver calls `tick()` at a fixed interval (etcd uses 100 ms). */
export interface RaftCoreOptions {
  /** This node's id; non-empty. */
  id: NodeId
  /** The durable log, read-only to the core (see `Storage`). */
  storage: Storage
  /** Randomness for election timeouts; seed it to reproduce a run. */
  random: Random
  logger?: Logger
  /** Election timeout T in ticks; followers wait a random [T, 2T). Default 10. */
  electionTicks?: number
  /** Heartbeat interval in ticks, below `electionTicks`. Default 1. */
  heartbeatTicks?: number
  /** Ask for a pre-vote before a real election (dissertation §9.6). Default true. */
  preVote?: boolean
  /** A leader steps down after an election timeout without hearing from a quorum. Default true. */
  checkQuorum?: boolean
  /**
   * How a leader confirms a read. `'safe'` (default): a heartbeat round to
   * a quorum per batch of reads (ReadIndex). `'lease'`: from its lease, with
   * no message, while a quorum answered a heartbeat round sent less than
   * `electionTicks` minus a margin ago (see `LeaseTracker`); needs
   * `checkQuorum`, and every voter of the group should run the same mode.
   */
  readOnly?: ReadOnlyMode
  /** Entries in one AppendEntries at most. Default 64. */
  maxEntriesPerMsg?: number
  /** Entry bytes in one AppendEntries at most (one entry is always sent). Default 1 MiB. */
  maxBytesPerMsg?: number
  /** AppendEntries in flight to one follower at most. Default 256. */
  maxInflight?: number
  /** Committed-entry bytes in one Ready at most (one entry is always handed out). Default 64 MiB. */
  maxCommittedBytesPerReady?: number
  /** The last index the state machine has applied, on restart. Default: the snapshot index. */
  applied?: number
}

/** How reads are confirmed: a ReadIndex round each, or the leader's lease (etcd's ReadOnlySafe / ReadOnlyLeaseBased). */
export type ReadOnlyMode = 'safe' | 'lease'

/** Settings the protocol runs with, validated and with defaults filled in. */
export interface ResolvedOptions {
  readonly readOnly: ReadOnlyMode
  /** Ticks a lease runs from the send of the heartbeat round a quorum answered (0 in 'safe' mode). */
  readonly leaseTicks: number
  readonly electionTicks: number
  readonly heartbeatTicks: number
  readonly preVote: boolean
  readonly checkQuorum: boolean
  readonly maxEntriesPerMsg: number
  readonly maxBytesPerMsg: number
  readonly maxInflight: number
}

function positiveInt (option: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback
  if (!Number.isSafeInteger(v) || v < min) throw new InvalidConfigError(option, `must be an integer >= ${min}, got ${String(v)}`)
  return v
}

/** Validates `options` (throwing `InvalidConfigError`) and fills in the defaults. */
export function resolveOptions (options: RaftCoreOptions): ResolvedOptions & { maxCommittedBytesPerReady: number } {
  if (typeof options.id !== 'string' || options.id === '') throw new InvalidConfigError('id', 'must be a non-empty string')
  const electionTicks = positiveInt('electionTicks', options.electionTicks, defaults.DEFAULT_ELECTION_TICKS, 2)
  const heartbeatTicks = positiveInt('heartbeatTicks', options.heartbeatTicks, defaults.DEFAULT_HEARTBEAT_TICKS)
  if (heartbeatTicks >= electionTicks) throw new InvalidConfigError('heartbeatTicks', 'must be below electionTicks')
  const readOnly = options.readOnly ?? defaults.DEFAULT_READ_ONLY
  if (readOnly !== 'safe' && readOnly !== 'lease') throw new InvalidConfigError('readOnly', `must be 'safe' or 'lease', got ${String(readOnly)}`)
  const checkQuorum = options.checkQuorum ?? true
  // Without check-quorum a voter grants votes while it hears from a leader, so nothing stops a new leader inside the lease.
  if (readOnly === 'lease' && !checkQuorum) throw new InvalidConfigError('readOnly', "'lease' needs checkQuorum")
  const leaseTicks = readOnly === 'lease' ? leaseTicksFor(electionTicks) : 0
  if (readOnly === 'lease' && leaseTicks < 1) {
    throw new InvalidConfigError('electionTicks', `'lease' needs an election timeout of at least 3 ticks (one tick of phase and ${defaults.LEASE_DRIFT} of T for drift leave no lease), got ${electionTicks}`)
  }
  return {
    readOnly,
    leaseTicks,
    electionTicks,
    heartbeatTicks,
    preVote: options.preVote ?? true,
    checkQuorum,
    maxEntriesPerMsg: positiveInt('maxEntriesPerMsg', options.maxEntriesPerMsg, defaults.DEFAULT_MAX_ENTRIES_PER_MSG),
    maxBytesPerMsg: positiveInt('maxBytesPerMsg', options.maxBytesPerMsg, defaults.DEFAULT_MAX_BYTES_PER_MSG),
    maxInflight: positiveInt('maxInflight', options.maxInflight, defaults.DEFAULT_MAX_INFLIGHT),
    maxCommittedBytesPerReady: positiveInt('maxCommittedBytesPerReady', options.maxCommittedBytesPerReady, defaults.DEFAULT_MAX_COMMITTED_BYTES_PER_READY)
  }
}

/** The lease in ticks for an election timeout of `electionTicks`: T less one tick of phase and `LEASE_DRIFT` of T. */
export function leaseTicksFor (electionTicks: number): number {
  return electionTicks - 1 - Math.ceil(electionTicks * defaults.LEASE_DRIFT)
}
