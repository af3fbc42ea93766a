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

/** Settings the protocol runs with, validated and with defaults filled in. */
export interface ResolvedOptions {
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
  return {
    electionTicks,
    heartbeatTicks,
    preVote: options.preVote ?? true,
    checkQuorum: options.checkQuorum ?? true,
    maxEntriesPerMsg: positiveInt('maxEntriesPerMsg', options.maxEntriesPerMsg, defaults.DEFAULT_MAX_ENTRIES_PER_MSG),
    maxBytesPerMsg: positiveInt('maxBytesPerMsg', options.maxBytesPerMsg, defaults.DEFAULT_MAX_BYTES_PER_MSG),
    maxInflight: positiveInt('maxInflight', options.maxInflight, defaults.DEFAULT_MAX_INFLIGHT),
    maxCommittedBytesPerReady: positiveInt('maxCommittedBytesPerReady', options.maxCommittedBytesPerReady, defaults.DEFAULT_MAX_COMMITTED_BYTES_PER_READY)
  }
}
