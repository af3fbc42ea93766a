import { InvalidArgumentError, type AbortOptions } from '@clusterfunk/core'
import { withFormat } from './codec.js'
import type { Wire } from './proto.js'

/** One key of the cluster's shared state. */
export interface StateRecord {
  key: string
  value: Uint8Array
  revision: number
  createdRevision: number
  /** When the leader wrote it (Unix ms, its wall clock). */
  writtenAtMs: number
}

/** One write to the shared state, as a watcher sees it. */
export interface StateChange {
  type: 'put' | 'delete'
  key: string
  value: Uint8Array
  revision: number
  writtenAtMs: number
}

/** A put or a delete; with `expected`, a compare-and-set on the key's revision (0: absent). */
export type StateWriteRequest =
  | { type: 'put', key: string, value: Uint8Array, expected?: number }
  | { type: 'delete', key: string, expected?: number }

/** What a write did: applied under `revision`, or refused with the reason. */
export type StateWriteReply =
  | { outcome: 'ok', revision: number }
  | { outcome: 'mismatch', actual: number }
  | { outcome: 'limit', limit: string, message: string }

/** A lock operation. */
export type LockRequest =
  | { type: 'acquire', name: string, owner: string, nodeId: string, ttlMs: number, waitMs: number }
  | { type: 'renew', name: string, token: number }
  | { type: 'release', name: string, token: number }
  | { type: 'cancel', name: string, owner: string }

/** What a lock operation did. `token` and `expiresAtMs` come with granted and renewed; `position` with queued; `holder` with busy. */
export interface LockReply {
  outcome: 'granted' | 'queued' | 'busy' | 'limit' | 'renewed' | 'released' | 'lost' | 'done'
  token: number
  expiresAtMs: number
  position: number
  holder: string
  limit: string
  message: string
}

/** A lock as a node's replica holds it. */
export interface LockInfo {
  name: string
  /** The holding owner, or undefined when the lock is between holders. */
  holder: { owner: string, nodeId: string, token: number, expiresAtMs: number } | undefined
  /** Waiting owners, in grant order. */
  waiters: string[]
}

/**
 * The shared state and locks of the node a management server runs on.
 * `stateWrite` and `lockCall` are the leader's: any other node throws
 * `NotLeaderError` and the server forwards the call to the leader.
 */
export interface CoordinationSource {
  stateGet: (key: string, options: { consistent: boolean } & AbortOptions) => Promise<{ record: StateRecord | undefined, revision: number }>
  stateList: (prefix: string, options: { consistent: boolean } & AbortOptions) => Promise<{ records: StateRecord[], revision: number }>
  stateWrite: (request: StateWriteRequest, options?: AbortOptions) => Promise<StateWriteReply>
  /** Every write under `prefix` from `fromRevision` on (0: from now), in order, until `signal` fires. */
  stateWatch: (prefix: string, fromRevision: number, options: AbortOptions) => AsyncIterable<StateChange>
  lockCall: (request: LockRequest, options?: AbortOptions) => Promise<LockReply>
  locks: () => Promise<LockInfo[]>
}

const WRITE_OUTCOMES = { ok: 'WRITE_OUTCOME_OK', mismatch: 'WRITE_OUTCOME_MISMATCH', limit: 'WRITE_OUTCOME_LIMIT' } as const
const LOCK_OPS = { acquire: 'LOCK_OP_ACQUIRE', renew: 'LOCK_OP_RENEW', release: 'LOCK_OP_RELEASE', cancel: 'LOCK_OP_CANCEL' } as const
const LOCK_OUTCOMES: ReadonlyArray<LockReply['outcome']> = ['granted', 'queued', 'busy', 'limit', 'renewed', 'released', 'lost', 'done']

function str (raw: unknown): string {
  return typeof raw === 'string' ? raw : ''
}

/** A whole number in 0..2^53−1 from the wire. @throws InvalidArgumentError naming `what` */
function num (raw: unknown, what: string): number {
  const n = typeof raw === 'number' ? raw : Number(raw ?? 0)
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${what} must be a whole number in 0..2^53-1`)
  return n
}

function bytes (raw: unknown): Uint8Array {
  return raw instanceof Uint8Array ? Uint8Array.from(raw) : new Uint8Array()
}

export function encodeStateRecord (r: StateRecord): Wire {
  return { key: r.key, value: Buffer.from(r.value), revision: r.revision, createdRevision: r.createdRevision, writtenAtMs: r.writtenAtMs }
}

export function decodeStateRecord (w: Wire): StateRecord {
  return { key: str(w.key), value: bytes(w.value), revision: num(w.revision, 'revision'), createdRevision: num(w.createdRevision, 'created_revision'), writtenAtMs: num(w.writtenAtMs, 'written_at_ms') }
}

export function encodeStateChange (c: StateChange): Wire {
  return withFormat({ deleted: c.type === 'delete', key: c.key, value: Buffer.from(c.value), revision: c.revision, writtenAtMs: c.writtenAtMs })
}

export function decodeStateChange (w: Wire): StateChange {
  return { type: w.deleted === true ? 'delete' : 'put', key: str(w.key), value: bytes(w.value), revision: num(w.revision, 'revision'), writtenAtMs: num(w.writtenAtMs, 'written_at_ms') }
}

export function encodeWriteRequest (r: StateWriteRequest): Wire {
  return { key: r.key, delete: r.type === 'delete', value: r.type === 'put' ? Buffer.from(r.value) : Buffer.alloc(0), hasExpected: r.expected !== undefined, expectedRevision: r.expected ?? 0 }
}

/** @throws InvalidArgumentError for an empty key or an out-of-range revision */
export function decodeWriteRequest (w: Wire): StateWriteRequest {
  const key = str(w.key)
  if (key === '') throw new InvalidArgumentError('a key is required')
  const expected = w.hasExpected === true ? { expected: num(w.expectedRevision, 'expected_revision') } : {}
  return w.delete === true ? { type: 'delete', key, ...expected } : { type: 'put', key, value: bytes(w.value), ...expected }
}

export function encodeWriteReply (r: StateWriteReply): Wire {
  return withFormat({
    outcome: WRITE_OUTCOMES[r.outcome],
    revision: r.outcome === 'ok' ? r.revision : 0,
    actualRevision: r.outcome === 'mismatch' ? r.actual : 0,
    limit: r.outcome === 'limit' ? r.limit : '',
    message: r.outcome === 'limit' ? r.message : ''
  })
}

export function decodeWriteReply (w: Wire): StateWriteReply {
  switch (w.outcome) {
    case WRITE_OUTCOMES.ok: return { outcome: 'ok', revision: num(w.revision, 'revision') }
    case WRITE_OUTCOMES.mismatch: return { outcome: 'mismatch', actual: num(w.actualRevision, 'actual_revision') }
    case WRITE_OUTCOMES.limit: return { outcome: 'limit', limit: str(w.limit), message: str(w.message) }
    default: throw new InvalidArgumentError(`unknown write outcome ${String(w.outcome)}`)
  }
}

export function encodeLockRequest (r: LockRequest): Wire {
  return {
    op: LOCK_OPS[r.type],
    name: r.name,
    owner: r.type === 'acquire' || r.type === 'cancel' ? r.owner : '',
    nodeId: r.type === 'acquire' ? r.nodeId : '',
    ttlMs: r.type === 'acquire' ? r.ttlMs : 0,
    waitMs: r.type === 'acquire' ? r.waitMs : 0,
    token: r.type === 'renew' || r.type === 'release' ? r.token : 0
  }
}

/** @throws InvalidArgumentError for an unknown operation, a missing name, owner or node, or an out-of-range number */
export function decodeLockRequest (w: Wire): LockRequest {
  const name = str(w.name)
  if (name === '') throw new InvalidArgumentError('a lock name is required')
  const owner = (): string => {
    const o = str(w.owner)
    if (o === '') throw new InvalidArgumentError('a lock owner is required')
    return o
  }
  switch (w.op) {
    case LOCK_OPS.acquire: {
      const nodeId = str(w.nodeId)
      if (nodeId === '') throw new InvalidArgumentError('an acquire names the node its owner runs on')
      return { type: 'acquire', name, owner: owner(), nodeId, ttlMs: num(w.ttlMs, 'ttl_ms'), waitMs: num(w.waitMs, 'wait_ms') }
    }
    case LOCK_OPS.renew: return { type: 'renew', name, token: num(w.token, 'token') }
    case LOCK_OPS.release: return { type: 'release', name, token: num(w.token, 'token') }
    case LOCK_OPS.cancel: return { type: 'cancel', name, owner: owner() }
    default: throw new InvalidArgumentError(`unknown lock operation ${String(w.op)}`)
  }
}

export function encodeLockReply (r: LockReply): Wire {
  return withFormat({ ...r, outcome: `LOCK_OUTCOME_${r.outcome.toUpperCase()}` })
}

export function decodeLockReply (w: Wire): LockReply {
  const outcome = LOCK_OUTCOMES.find(o => `LOCK_OUTCOME_${o.toUpperCase()}` === w.outcome)
  if (outcome === undefined) throw new InvalidArgumentError(`unknown lock outcome ${String(w.outcome)}`)
  return {
    outcome,
    token: num(w.token, 'token'),
    expiresAtMs: num(w.expiresAtMs, 'expires_at_ms'),
    position: num(w.position, 'position'),
    holder: str(w.holder),
    limit: str(w.limit),
    message: str(w.message)
  }
}

export function encodeLocks (locks: LockInfo[]): Wire {
  return withFormat({
    locks: locks.map(l => ({
      name: l.name,
      holder: l.holder?.owner ?? '',
      holderNode: l.holder?.nodeId ?? '',
      token: l.holder?.token ?? 0,
      expiresAtMs: l.holder?.expiresAtMs ?? 0,
      waiters: l.waiters
    }))
  })
}

export function decodeLocks (w: Wire): LockInfo[] {
  const locks = Array.isArray(w.locks) ? w.locks as Wire[] : []
  return locks.map(l => ({
    name: str(l.name),
    holder: str(l.holder) === '' ? undefined : { owner: str(l.holder), nodeId: str(l.holderNode), token: num(l.token, 'token'), expiresAtMs: num(l.expiresAtMs, 'expires_at_ms') },
    waiters: Array.isArray(l.waiters) ? (l.waiters as unknown[]).map(str) : []
  }))
}
