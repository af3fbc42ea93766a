import { InvalidConfigError } from '@clusterfunk/core'
import { DEFAULT_TICK_MS, RAFT_DEFAULTS, RAFT_PRESETS } from './constants.js'

export { RAFT_PRESETS }
import type { ReadOnlyMode } from './options.js'

export type RaftPreset = keyof typeof RAFT_PRESETS

/** Options of a `Raft` node. Every value but `id` is optional. */
export interface RaftInit {
  /** This node's id in the group. */
  id: string
  /** Where peers reach this node. Default: the transport's address. */
  address?: string
  /** Timing preset; default `'default'`. */
  preset?: RaftPreset
  /** Heartbeat interval, a multiple of `tickMs`. Default from the preset. */
  heartbeatMs?: number
  /** Election timeout T: a follower campaigns after a random [T, 2T) without a leader. A multiple of `tickMs`, above `heartbeatMs`. */
  electionMs?: number
  /**
   * The tick of the protocol core: the granularity of the random election
   * timeout and of the read lease. Default: the greatest common divisor of
   * `heartbeatMs`, `electionMs` and 10 ms.
   */
  tickMs?: number
  /** How reads are confirmed: `'safe'` (a ReadIndex round, default) or `'lease'` (the leader's lease; needs `checkQuorum`). Every node should use the same. */
  readOnly?: ReadOnlyMode
  /** Run a pre-vote before an election. Default true. */
  preVote?: boolean
  /** A leader steps down without a quorum for an election timeout. Default true. */
  checkQuorum?: boolean
  /** Take a snapshot once this many entries were applied since the last one (hashicorp: 8192). Default 8192. */
  snapshotThreshold?: number
  /** Entries kept behind a snapshot, so a follower slightly behind gets entries, not a snapshot (hashicorp: 10240). Default 10240. */
  trailingLogs?: number
  /** Snapshot stream chunk size. Default 256 KiB. */
  snapshotChunkBytes?: number
  /** Entries in one AppendEntries at most. Default 64 (the driver merges consecutive appends up to `maxBatchEntries`). */
  maxEntriesPerMsg?: number
  /** Entries a merged AppendEntries may carry at most. Default 4096. */
  maxBatchEntries?: number
  /** AppendEntries in flight to one follower at most. Default 256. */
  maxInflight?: number
  /** Default timeout of `apply`, `read`, `barrier` and membership calls. Default 10 000 ms. */
  requestTimeoutMs?: number
  /** A non-voter added by `addVoter` is promoted once it has answered and is at most this many entries behind the leader. Default 64. */
  catchUpLag?: number
  /**
   * Bytes of this leader's own commands that may wait to commit at once;
   * `apply` beyond it fails fast with `ProposalLimitError` (one command is
   * always accepted when none waits). Default 64 MiB.
   */
  maxUncommittedBytes?: number
}

/** `RaftInit` validated, with every default filled in and the timings in ticks too. */
export type ResolvedRaftInit = Readonly<Required<Omit<RaftInit, 'address' | 'preset'>>> & {
  readonly address: string | undefined
  readonly heartbeatTicks: number
  readonly electionTicks: number
}

function int (option: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback
  if (!Number.isSafeInteger(v) || v < min) throw new InvalidConfigError(option, `must be an integer >= ${min}, got ${String(v)}`)
  return v
}

/** Validates `init` (throwing `InvalidConfigError`) and fills in the defaults. */
export function resolveRaftInit (init: RaftInit): ResolvedRaftInit {
  if (typeof init.id !== 'string' || init.id === '') throw new InvalidConfigError('id', 'must be a non-empty string')
  const preset = init.preset ?? RAFT_DEFAULTS.preset
  if (!(preset in RAFT_PRESETS)) throw new InvalidConfigError('preset', `must be one of ${Object.keys(RAFT_PRESETS).join(', ')}`)
  const p = RAFT_PRESETS[preset]
  const heartbeatMs = int('heartbeatMs', init.heartbeatMs, p.heartbeatMs, 1)
  const electionMs = int('electionMs', init.electionMs, p.electionMs, 2)
  if (electionMs <= heartbeatMs) throw new InvalidConfigError('electionMs', `must be above heartbeatMs ${heartbeatMs}, got ${electionMs}`)
  const tickMs = int('tickMs', init.tickMs, gcd(gcd(heartbeatMs, electionMs), DEFAULT_TICK_MS), 1)
  if (heartbeatMs % tickMs !== 0) throw new InvalidConfigError('tickMs', `must divide heartbeatMs ${heartbeatMs}, got ${tickMs}`)
  if (electionMs % tickMs !== 0) throw new InvalidConfigError('tickMs', `must divide electionMs ${electionMs}, got ${tickMs}`)
  const readOnly = init.readOnly ?? RAFT_DEFAULTS.readOnly
  if (readOnly !== 'safe' && readOnly !== 'lease') throw new InvalidConfigError('readOnly', `must be 'safe' or 'lease', got ${String(readOnly)}`)
  const checkQuorum = init.checkQuorum ?? RAFT_DEFAULTS.checkQuorum
  if (readOnly === 'lease' && !checkQuorum) throw new InvalidConfigError('readOnly', "'lease' needs checkQuorum")
  if (init.address !== undefined && (typeof init.address !== 'string' || init.address === '')) throw new InvalidConfigError('address', 'must be a non-empty host:port')
  return {
    id: init.id,
    address: init.address,
    heartbeatMs,
    electionMs,
    tickMs,
    heartbeatTicks: heartbeatMs / tickMs,
    electionTicks: electionMs / tickMs,
    readOnly,
    preVote: init.preVote ?? RAFT_DEFAULTS.preVote,
    checkQuorum,
    snapshotThreshold: int('snapshotThreshold', init.snapshotThreshold, RAFT_DEFAULTS.snapshotThreshold, 1),
    trailingLogs: int('trailingLogs', init.trailingLogs, RAFT_DEFAULTS.trailingLogs, 0),
    snapshotChunkBytes: int('snapshotChunkBytes', init.snapshotChunkBytes, RAFT_DEFAULTS.snapshotChunkBytes, 1),
    maxEntriesPerMsg: int('maxEntriesPerMsg', init.maxEntriesPerMsg, RAFT_DEFAULTS.maxEntriesPerMsg, 1),
    maxBatchEntries: int('maxBatchEntries', init.maxBatchEntries, RAFT_DEFAULTS.maxBatchEntries, 1),
    maxInflight: int('maxInflight', init.maxInflight, RAFT_DEFAULTS.maxInflight, 1),
    requestTimeoutMs: int('requestTimeoutMs', init.requestTimeoutMs, RAFT_DEFAULTS.requestTimeoutMs, 1),
    catchUpLag: int('catchUpLag', init.catchUpLag, RAFT_DEFAULTS.catchUpLag, 0),
    maxUncommittedBytes: int('maxUncommittedBytes', init.maxUncommittedBytes, RAFT_DEFAULTS.maxUncommittedBytes, 1)
  }
}

function gcd (a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}
