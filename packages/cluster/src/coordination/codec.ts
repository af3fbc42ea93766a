import { DecodeError } from '@clusterfunk/core'
import { loadType } from '@clusterfunk/proto'
import { COORDINATION_DEFAULTS } from './constants.js'
import type { LockCommand, LockEntry } from './lock-table.js'
import type { StateSnapshot } from './state-store.js'
import type { CoordinationCommand, CoordinationOp } from './types.js'

const FORMAT = 1
/** The format of a composite node snapshot (`NodeSnapshot.snapshot_format`). */
export const NODE_SNAPSHOT_FORMAT = 2
const Command = loadType('cluster.proto', 'clusterfunk.cluster.Command')
const State = loadType('cluster.proto', 'clusterfunk.cluster.CoordinationState')
const Node = loadType('cluster.proto', 'clusterfunk.cluster.NodeSnapshot')
const TO_OBJECT = { longs: Number, defaults: true, oneofs: true } as const

/** The coordination part of a Raft snapshot: the shared state and the locks. */
export interface CoordinationSnapshot {
  state: StateSnapshot
  locks: LockEntry[]
}

type Raw = Record<string, unknown>

function wrap<T> (what: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof DecodeError) throw err
    throw new DecodeError(`${what} does not decode: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

function count (raw: unknown, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw))
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new DecodeError(`${what}: ${String(raw)} is outside ${min}..${max}`)
  return n
}

function text (raw: unknown, what: string, maxBytes: number): string {
  if (typeof raw !== 'string' || raw === '' || Buffer.byteLength(raw) > maxBytes) throw new DecodeError(`${what} must be a non-empty string of at most ${maxBytes} bytes`)
  return raw
}

function bytes (raw: unknown): Uint8Array {
  return raw instanceof Uint8Array ? Uint8Array.from(raw) : new Uint8Array()
}

const D = COORDINATION_DEFAULTS
const OWNER_BYTES = 256

/** Encodes a coordination entry for the Raft log (a `Command` whose body is `coordination`). */
export function encodeCoordinationCommand (c: CoordinationCommand): Uint8Array {
  const op = c.op
  let body: Raw
  switch (op.type) {
    case 'state-put': body = { statePut: { key: op.key, value: op.value, hasExpected: op.expected !== undefined, expectedRevision: op.expected ?? 0 } }; break
    case 'state-delete': body = { stateDelete: { key: op.key, hasExpected: op.expected !== undefined, expectedRevision: op.expected ?? 0 } }; break
    case 'acquire': body = { lockAcquire: { name: op.name, owner: op.owner, nodeId: op.nodeId, ttlMs: op.ttlMs, waitMs: op.waitMs } }; break
    case 'renew': body = { lockRenew: { name: op.name, token: op.token } }; break
    case 'release': body = { lockRelease: { name: op.name, token: op.token } }; break
    case 'expire': body = { lockExpire: { name: op.name, token: op.token } }; break
    case 'cancel': body = { lockCancel: { name: op.name, owner: op.owner } }; break
    case 'drop-node': body = { lockDropNode: { nodeId: op.nodeId } }; break
  }
  return Command.encode(Command.fromObject({ format: FORMAT, coordination: { requestId: c.requestId, atMs: c.atMs, ...body } })).finish()
}

/**
 * Decodes a log entry that is a coordination command; `undefined` when the
 * entry is another kind of cluster command (or not one at all: the shard
 * map's decoder judges those).
 * @throws DecodeError for a coordination command that is malformed or out of range
 */
export function decodeCoordinationCommand (data: Uint8Array): CoordinationCommand | undefined {
  let m: Raw
  try {
    m = Command.toObject(Command.decode(data), TO_OBJECT) as Raw
  } catch {
    return undefined
  }
  if (m.body !== 'coordination') return undefined
  return wrap('a coordination command', () => {
    if (m.format !== FORMAT) throw new DecodeError(`unknown cluster command format ${String(m.format)}`)
    const c = m.coordination as Raw
    const requestId = typeof c.requestId === 'string' && c.requestId.length <= 64 ? c.requestId : ''
    return { requestId, atMs: count(c.atMs, 'at_ms'), op: decodeOp(c) }
  })
}

function decodeOp (c: Raw): CoordinationOp {
  const o = c[String(c.op)] as Raw | undefined
  if (o === undefined) throw new DecodeError('a coordination command with no operation')
  const name = (): string => text(o.name, 'a lock name', D.maxLockNameBytes)
  const token = (): number => count(o.token, 'a fencing token', 1)
  switch (c.op) {
    case 'statePut':
      return { type: 'state-put', key: text(o.key, 'a key', D.maxKeyBytes), value: bytes(o.value), ...expected(o) }
    case 'stateDelete':
      return { type: 'state-delete', key: text(o.key, 'a key', D.maxKeyBytes), ...expected(o) }
    case 'lockAcquire':
      return {
        type: 'acquire',
        name: name(),
        owner: text(o.owner, 'a lock owner', OWNER_BYTES),
        nodeId: text(o.nodeId, 'a node id', OWNER_BYTES),
        ttlMs: count(o.ttlMs, 'a lease ttl', D.minLockTtlMs, D.maxLockTtlMs),
        waitMs: count(o.waitMs, 'a lock wait', 0, D.maxLockWaitMs)
      }
    case 'lockRenew': return { type: 'renew', name: name(), token: token() }
    case 'lockRelease': return { type: 'release', name: name(), token: token() }
    case 'lockExpire': return { type: 'expire', name: name(), token: token() }
    case 'lockCancel': return { type: 'cancel', name: name(), owner: text(o.owner, 'a lock owner', OWNER_BYTES) }
    case 'lockDropNode': return { type: 'drop-node', nodeId: text(o.nodeId, 'a node id', OWNER_BYTES) }
    default: throw new DecodeError(`unknown coordination operation ${String(c.op)}`)
  }
}

function expected (o: Raw): { expected?: number } {
  return o.hasExpected === true ? { expected: count(o.expectedRevision, 'an expected revision') } : {}
}

/** Encodes the coordination part of a snapshot. */
export function encodeCoordinationSnapshot (s: CoordinationSnapshot): Uint8Array {
  return State.encode(State.fromObject({
    format: FORMAT,
    revision: s.state.revision,
    entries: s.state.entries.map(e => ({ key: e.key, value: e.value, revision: e.revision, createdRevision: e.createdRevision, writtenAtMs: e.writtenAtMs })),
    history: s.state.history.map(e => ({ deleted: e.type === 'delete', key: e.key, value: e.value, revision: e.revision, writtenAtMs: e.writtenAtMs })),
    locks: s.locks.map(l => ({ name: l.name, ...(l.holder === undefined ? {} : { holder: l.holder }), waiters: l.waiters }))
  })).finish()
}

/** @throws DecodeError for bytes that are not a valid coordination snapshot */
export function decodeCoordinationSnapshot (data: Uint8Array): CoordinationSnapshot {
  return wrap('a coordination snapshot', () => {
    const m = State.toObject(State.decode(data), { ...TO_OBJECT, arrays: true }) as Raw
    if (m.format !== FORMAT) throw new DecodeError(`unknown coordination snapshot format ${String(m.format)}`)
    const revision = count(m.revision, 'revision')
    const entries = (m.entries as Raw[]).map(e => ({
      key: text(e.key, 'a key', D.maxKeyBytes),
      value: bytes(e.value),
      revision: count(e.revision, 'a revision', 1, revision),
      createdRevision: count(e.createdRevision, 'a created revision', 1, revision),
      writtenAtMs: count(e.writtenAtMs, 'written_at_ms')
    }))
    const history = (m.history as Raw[]).map(e => ({
      type: e.deleted === true ? 'delete' as const : 'put' as const,
      key: text(e.key, 'a key', D.maxKeyBytes),
      value: bytes(e.value),
      revision: count(e.revision, 'a revision', 1, revision),
      writtenAtMs: count(e.writtenAtMs, 'written_at_ms')
    }))
    for (let i = 1; i < history.length; i++) {
      if ((history[i]?.revision ?? 0) <= (history[i - 1]?.revision ?? 0)) throw new DecodeError('a coordination snapshot whose history is out of order')
    }
    if ((m.locks as Raw[]).length > D.maxLocks) throw new DecodeError(`a coordination snapshot with more than ${D.maxLocks} locks`)
    const locks = (m.locks as Raw[]).map(l => {
      const h = l.holder as Raw | undefined | null
      const waiters = (l.waiters as Raw[]).map(w => ({
        owner: text(w.owner, 'a lock owner', OWNER_BYTES),
        nodeId: text(w.nodeId, 'a node id', OWNER_BYTES),
        ttlMs: count(w.ttlMs, 'a lease ttl', D.minLockTtlMs, D.maxLockTtlMs),
        queuedAtMs: count(w.queuedAtMs, 'queued_at_ms'),
        deadlineMs: count(w.deadlineMs, 'deadline_ms')
      }))
      if (waiters.length > D.maxWaitersPerLock) throw new DecodeError(`a lock with more than ${D.maxWaitersPerLock} waiters`)
      return {
        name: text(l.name, 'a lock name', D.maxLockNameBytes),
        holder: h === undefined || h === null
          ? undefined
          : {
              owner: text(h.owner, 'a lock owner', OWNER_BYTES),
              nodeId: text(h.nodeId, 'a node id', OWNER_BYTES),
              token: count(h.token, 'a fencing token', 1),
              ttlMs: count(h.ttlMs, 'a lease ttl', D.minLockTtlMs, D.maxLockTtlMs),
              grantedAtMs: count(h.grantedAtMs, 'granted_at_ms'),
              expiresAtMs: count(h.expiresAtMs, 'expires_at_ms')
            },
        waiters
      }
    })
    return { state: { revision, entries, history }, locks }
  })
}

/** The two parts of a node's Raft snapshot. */
export interface NodeSnapshotParts {
  coordinator: Uint8Array
  /** Absent in a snapshot written before shared state and locks existed. */
  coordination: Uint8Array | undefined
}

/** Composes a node's snapshot from the coordinator's and the coordination's encoded parts. */
export function encodeNodeSnapshot (parts: { coordinator: Uint8Array, coordination: Uint8Array }): Uint8Array {
  return Node.encode(Node.fromObject({ snapshotFormat: NODE_SNAPSHOT_FORMAT, ...parts })).finish()
}

/**
 * Splits a node's snapshot into its parts. A snapshot of the first format
 * (a bare coordinator state) comes back whole as the coordinator's part.
 * @throws DecodeError for a snapshot of an unknown format
 */
export function decodeNodeSnapshot (data: Uint8Array): NodeSnapshotParts {
  return wrap('a node snapshot', () => {
    const m = Node.toObject(Node.decode(data), TO_OBJECT) as Raw
    if (m.snapshotFormat === 0) return { coordinator: data, coordination: undefined }
    if (m.snapshotFormat !== NODE_SNAPSHOT_FORMAT) throw new DecodeError(`unknown node snapshot format ${String(m.snapshotFormat)}`)
    return { coordinator: bytes(m.coordinator), coordination: bytes(m.coordination) }
  })
}

export type { LockCommand }
