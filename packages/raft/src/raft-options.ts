import { InvalidConfigError } from '@clusterfunk/core'

/**
 * Timing presets. `fast` suits a LAN or one machine: heartbeat 50 ms,
 * election timeout 150–300 ms. `default` follows etcd: heartbeat 100 ms,
 * election timeout 1 000–2 000 ms. Timeouts are randomised in [T, 2T).
 */
export const RAFT_PRESETS = {
  fast: { heartbeatMs: 50, electionMs: 150 },
  default: { heartbeatMs: 100, electionMs: 1000 }
} as const

export type RaftPreset = keyof typeof RAFT_PRESETS

/** Options of a `Raft` node. Every value but `id` is optional. */
export interface RaftInit {
  /** This node's id in the group. */
  id: string
  /** Where peers reach this node. Default: the transport's address. */
  address?: string
  /** Timing preset; default `'default'`. */
  preset?: RaftPreset
  /** Heartbeat interval; also the tick of the protocol core. Default from the preset. */
  heartbeatMs?: number
  /** Election timeout T: a follower campaigns after a random [T, 2T) without a leader. A multiple of `heartbeatMs`. */
  electionMs?: number
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
  /** A non-voter added by `addVoter` is promoted once at most this many entries behind the leader. Default 64. */
  catchUpLag?: number
}

export interface ResolvedRaftInit {
  readonly id: string
  readonly address: string | undefined
  readonly heartbeatMs: number
  readonly electionMs: number
  readonly electionTicks: number
  readonly preVote: boolean
  readonly checkQuorum: boolean
  readonly snapshotThreshold: number
  readonly trailingLogs: number
  readonly snapshotChunkBytes: number
  readonly maxEntriesPerMsg: number
  readonly maxBatchEntries: number
  readonly maxInflight: number
  readonly requestTimeoutMs: number
  readonly catchUpLag: number
}

function int (option: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback
  if (!Number.isSafeInteger(v) || v < min) throw new InvalidConfigError(option, `must be an integer >= ${min}, got ${String(v)}`)
  return v
}

/** Validates `init` (throwing `InvalidConfigError`) and fills in the defaults. */
export function resolveRaftInit (init: RaftInit): ResolvedRaftInit {
  if (typeof init.id !== 'string' || init.id === '') throw new InvalidConfigError('id', 'must be a non-empty string')
  const preset = init.preset ?? 'default'
  if (!(preset in RAFT_PRESETS)) throw new InvalidConfigError('preset', `must be one of ${Object.keys(RAFT_PRESETS).join(', ')}`)
  const p = RAFT_PRESETS[preset]
  const heartbeatMs = int('heartbeatMs', init.heartbeatMs, p.heartbeatMs, 1)
  const electionMs = int('electionMs', init.electionMs, p.electionMs, 2)
  if (electionMs % heartbeatMs !== 0 || electionMs / heartbeatMs < 2) {
    throw new InvalidConfigError('electionMs', `must be a multiple (at least 2×) of heartbeatMs ${heartbeatMs}, got ${electionMs}`)
  }
  if (init.address !== undefined && (typeof init.address !== 'string' || init.address === '')) throw new InvalidConfigError('address', 'must be a non-empty host:port')
  return {
    id: init.id,
    address: init.address,
    heartbeatMs,
    electionMs,
    electionTicks: electionMs / heartbeatMs,
    preVote: init.preVote ?? true,
    checkQuorum: init.checkQuorum ?? true,
    snapshotThreshold: int('snapshotThreshold', init.snapshotThreshold, 8192, 1),
    trailingLogs: int('trailingLogs', init.trailingLogs, 10240, 0),
    snapshotChunkBytes: int('snapshotChunkBytes', init.snapshotChunkBytes, 256 * 1024, 1),
    maxEntriesPerMsg: int('maxEntriesPerMsg', init.maxEntriesPerMsg, 64, 1),
    maxBatchEntries: int('maxBatchEntries', init.maxBatchEntries, 4096, 1),
    maxInflight: int('maxInflight', init.maxInflight, 256, 1),
    requestTimeoutMs: int('requestTimeoutMs', init.requestTimeoutMs, 10_000, 1),
    catchUpLag: int('catchUpLag', init.catchUpLag, 64, 0)
  }
}
