import { MAP_VERSIONS, inRange } from '@clusterfunk/core'
import { MAX_REPLICATION_FACTOR } from '@clusterfunk/sharding'
import type { Wire } from './proto.js'
import { MANAGEMENT_FORMAT_VERSION } from './proto.js'
import type {
  ClusterEvent, ClusterRole, ClusterState, LivenessStatus, NodeEndpoint, NodeSummary,
  ShardSummary, StatusReply, Suffrage, SwimStatus
} from './types.js'

/**
 * Conversions between the management API's TypeScript values and the
 * messages of management.proto as proto-loader decodes them. Decoders are
 * defensive: a missing or unknown value becomes a safe default (an unknown
 * enum value `Invalid`/`Unknown`, an unknown event kind `undefined`), never
 * a throw.
 */

const FORMAT = `FORMAT_VERSION_${MANAGEMENT_FORMAT_VERSION}`

function enumTable<T extends string> (prefix: string, pairs: ReadonlyArray<[T, string]>): { encode: (v: T) => string, decode: (w: unknown, fallback: T) => T } {
  const toWire = new Map(pairs.map(([v, w]) => [v, `${prefix}_${w}`]))
  const fromWire = new Map(pairs.map(([v, w]) => [`${prefix}_${w}`, v]))
  return {
    encode: (v) => toWire.get(v) ?? `${prefix}_UNSPECIFIED`,
    decode: (w, fallback) => (typeof w === 'string' ? fromWire.get(w) : undefined) ?? fallback
  }
}

const roles = enumTable<ClusterRole>('ROLE', [['Leader', 'LEADER'], ['Follower', 'FOLLOWER'], ['NonVoter', 'NON_VOTER'], ['NonMember', 'NON_MEMBER']])
const states = enumTable<ClusterState>('STATE', [
  ['Starting', 'STARTING'], ['Joining', 'JOINING'], ['Voting', 'VOTING'], ['Resharding', 'RESHARDING'],
  ['Operational', 'OPERATIONAL'], ['Stopping', 'STOPPING'], ['Invalid', 'INVALID']
])
const suffrages = enumTable<Suffrage>('SUFFRAGE', [['Voter', 'VOTER'], ['NonVoter', 'NON_VOTER'], ['None', 'NONE']])
const swims = enumTable<SwimStatus>('SWIM_STATUS', [['Alive', 'ALIVE'], ['Suspect', 'SUSPECT'], ['Dead', 'DEAD'], ['Left', 'LEFT'], ['Unknown', 'UNKNOWN']])
const livenesses = enumTable<LivenessStatus>('LIVENESS_STATUS', [['Alive', 'ALIVE'], ['Dead', 'DEAD'], ['Unknown', 'UNKNOWN']])

function str (v: unknown): string { return typeof v === 'string' ? v : '' }
function num (v: unknown): number { return typeof v === 'number' && Number.isFinite(v) ? v : 0 }
/** A count or size: a safe whole number ≥ 0, else 0. */
function count (v: unknown): number { return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0 }
/** A map version in MAP_VERSIONS' range, else 0 (no map): an out-of-range number from a server is never shown as a version. */
function mapVersion (v: unknown): number { return typeof v === 'number' && inRange(MAP_VERSIONS, v) ? v : 0 }
/** `{ [key]: n }` for a count above 0, else nothing. */
function positive<K extends string> (key: K, v: unknown): Partial<Record<K, number>> {
  const n = count(v)
  return n > 0 ? { [key]: n } as Record<K, number> : {}
}
/** A replication factor, 1..8; 0 (a node that does not send it) and anything out of range read as 1. */
function replicationFactor (v: unknown): number { return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_REPLICATION_FACTOR ? v : 1 }
function list (v: unknown): Wire[] { return Array.isArray(v) ? v.filter((x): x is Wire => typeof x === 'object' && x !== null) : [] }

/** The format field every message carries. */
export function withFormat (message: Wire): Wire {
  return { format: FORMAT, ...message }
}

/** The format a request claims: 1 for this version and for an unset field, else the number it names (0 for unknown names). */
export function formatOf (message: Wire): number {
  const f = message.format
  if (f === undefined || f === 'FORMAT_VERSION_UNSPECIFIED' || f === FORMAT) return MANAGEMENT_FORMAT_VERSION
  return typeof f === 'number' ? f : 0
}

export function encodeStatus (s: StatusReply): Wire {
  return withFormat({
    nodeId: s.nodeId,
    leaderId: s.leaderId ?? '',
    clusterName: s.clusterName,
    role: roles.encode(s.role),
    state: states.encode(s.state),
    raftMembers: s.raftMembers,
    swimMembers: s.swimMembers,
    shardCount: s.shardCount,
    shardMapVersion: s.shardMapVersion,
    createdMs: s.createdAt,
    callerAddress: s.callerAddress,
    raftTerm: s.raftTerm ?? 0,
    raftCommitIndex: s.raftCommitIndex ?? 0,
    raftAppliedIndex: s.raftAppliedIndex ?? 0,
    raftVoters: s.raftVoters ?? 0,
    version: s.version ?? ''
  })
}

export function decodeStatus (w: Wire): StatusReply {
  const leaderId = str(w.leaderId)
  return {
    nodeId: str(w.nodeId),
    ...(leaderId === '' ? {} : { leaderId }),
    clusterName: str(w.clusterName),
    role: roles.decode(w.role, 'NonMember'),
    state: states.decode(w.state, 'Invalid'),
    raftMembers: count(w.raftMembers),
    swimMembers: count(w.swimMembers),
    shardCount: count(w.shardCount),
    shardMapVersion: mapVersion(w.shardMapVersion),
    createdAt: num(w.createdMs),
    callerAddress: str(w.callerAddress),
    // 0 is what an older server (without these fields) sends: then they are left out, not reported as 0.
    ...positive('raftTerm', w.raftTerm),
    ...positive('raftCommitIndex', w.raftCommitIndex),
    ...positive('raftAppliedIndex', w.raftAppliedIndex),
    ...positive('raftVoters', w.raftVoters),
    ...(str(w.version) === '' ? {} : { version: str(w.version).slice(0, 64) })
  }
}

export function encodeNodes (nodes: readonly NodeSummary[]): Wire {
  return withFormat({
    nodes: nodes.map(n => ({
      id: n.id,
      suffrage: suffrages.encode(n.suffrage),
      swimStatus: swims.encode(n.swim),
      livenessStatus: livenesses.encode(n.liveness),
      leader: n.leader,
      endpoints: n.endpoints.map(e => ({ name: e.name, address: e.address }))
    }))
  })
}

export function decodeNodes (w: Wire): NodeSummary[] {
  return list(w.nodes).map(n => ({
    id: str(n.id),
    suffrage: suffrages.decode(n.suffrage, 'None'),
    swim: swims.decode(n.swimStatus, 'Unknown'),
    liveness: livenesses.decode(n.livenessStatus, 'Unknown'),
    leader: n.leader === true,
    endpoints: list(n.endpoints).map(e => ({ name: str(e.name), address: str(e.address) }))
  }))
}

export function encodeShards (s: ShardSummary): Wire {
  return withFormat({
    totalShards: s.total,
    mapVersion: s.mapVersion,
    replicationFactor: s.replicationFactor,
    nodes: s.nodes.map(n => ({ nodeId: n.nodeId, shards: n.shards, percent: n.percent, replicas: n.replicas }))
  })
}

export function decodeShards (w: Wire): ShardSummary {
  return {
    total: count(w.totalShards),
    mapVersion: mapVersion(w.mapVersion),
    replicationFactor: replicationFactor(w.replicationFactor),
    nodes: list(w.nodes).map(n => ({ nodeId: str(n.nodeId), shards: count(n.shards), percent: num(n.percent), replicas: count(n.replicas) }))
  }
}

export function encodeEndpoints (endpoints: readonly NodeEndpoint[]): Wire {
  return withFormat({ endpoints: endpoints.map(e => ({ nodeId: e.nodeId, name: e.name, address: e.address })) })
}

export function decodeEndpoints (w: Wire): NodeEndpoint[] {
  return list(w.endpoints).map(e => ({ nodeId: str(e.nodeId), name: str(e.name), address: str(e.address) }))
}

export function encodeEvent (e: ClusterEvent): Wire {
  const base = { timeMs: e.at }
  switch (e.type) {
    case 'state:change': return withFormat({ ...base, stateChanged: { state: states.encode(e.state) } })
    case 'role:change': return withFormat({ ...base, roleChanged: { role: roles.encode(e.role) } })
    case 'leader:change': return withFormat({ ...base, leaderChanged: { leaderId: e.leaderId ?? '' } })
    case 'node:join': return withFormat({ ...base, nodeJoined: { nodeId: e.nodeId } })
    case 'node:leave': return withFormat({ ...base, nodeLeft: { nodeId: e.nodeId } })
    case 'node:dead': return withFormat({ ...base, nodeDead: { nodeId: e.nodeId } })
    case 'node:alive': return withFormat({ ...base, nodeAlive: { nodeId: e.nodeId } })
    case 'shards:change': return withFormat({ ...base, shardsChanged: { mapVersion: e.mapVersion, totalShards: e.total } })
    case 'event:user': return withFormat({ ...base, userEvent: { name: e.name, payload: e.payload, ltime: e.ltime, origin: e.origin, coalesce: e.coalesce } })
  }
}

const NODE_EVENTS = { nodeJoined: 'node:join', nodeLeft: 'node:leave', nodeDead: 'node:dead', nodeAlive: 'node:alive' } as const

/** The event in `w`, or undefined for a kind this version does not know (a newer server's). */
export function decodeEvent (w: Wire): ClusterEvent | undefined {
  const at = num(w.timeMs)
  const kind = typeof w.event === 'string' ? w.event : ''
  const body = (typeof w[kind] === 'object' && w[kind] !== null ? w[kind] : {}) as Wire
  switch (kind) {
    case 'stateChanged': return { type: 'state:change', at, state: states.decode(body.state, 'Invalid') }
    case 'roleChanged': return { type: 'role:change', at, role: roles.decode(body.role, 'NonMember') }
    case 'leaderChanged': {
      const leaderId = str(body.leaderId)
      return leaderId === '' ? { type: 'leader:change', at } : { type: 'leader:change', at, leaderId }
    }
    case 'shardsChanged': return { type: 'shards:change', at, mapVersion: mapVersion(body.mapVersion), total: count(body.totalShards) }
    case 'nodeJoined': case 'nodeLeft': case 'nodeDead': case 'nodeAlive':
      return { type: NODE_EVENTS[kind], at, nodeId: str(body.nodeId) }
    case 'userEvent': {
      const p = body.payload
      const payload = p instanceof Uint8Array ? new Uint8Array(p.buffer, p.byteOffset, p.length) : new Uint8Array(0)
      return { type: 'event:user', at, name: str(body.name), payload, ltime: count(body.ltime), origin: str(body.origin), coalesce: body.coalesce === true }
    }
    default: return undefined
  }
}
