import { DecodeError, MAP_VERSIONS, checkCounter } from '@clusterfunk/core'
import { loadType } from '@clusterfunk/proto'
import { decodeShardMap, encodeShardMap, type ShardMap } from '@clusterfunk/sharding'
import type { ClusterCommand } from './types.js'

const FORMAT = 1
const Command = loadType('cluster.proto', 'clusterfunk.cluster.Command')
const State = loadType('cluster.proto', 'clusterfunk.cluster.CoordinatorState')
const Ack = loadType('cluster.proto', 'clusterfunk.cluster.ShardMapAck')

/**
 * A map version from the wire, within MAP_VERSIONS (0..2^53−2, so the next
 * version is still exact). protobufjs gives uint64 as a number or a Long;
 * a Long past 2^53 becomes an inexact number, which the range check refuses.
 * @throws DecodeError naming `what`
 */
function version (raw: unknown, what: string): number {
  const n = typeof raw === 'number' ? raw : Number(String(raw))
  return checkCounter(MAP_VERSIONS, n, what)
}

function decodeWith<T> (what: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof DecodeError) throw err
    throw new DecodeError(`${what} does not decode: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

/** Encodes a command for the Raft log. */
export function encodeCommand (command: ClusterCommand): Uint8Array {
  const body = command.type === 'propose'
    ? { propose: { mapVersion: command.version, shardMap: encodeShardMap(command.map) } }
    : { commit: { mapVersion: command.version } }
  return Command.encode(Command.fromObject({ format: FORMAT, ...body })).finish()
}

/** Decodes a command from the Raft log; anything malformed or of another format throws `DecodeError`. */
export function decodeCommand (bytes: Uint8Array): ClusterCommand {
  return decodeWith('a cluster command', () => {
    const m = Command.toObject(Command.decode(bytes), { defaults: true }) as {
      format: number, propose?: { mapVersion: unknown, shardMap: Uint8Array }, commit?: { mapVersion: unknown }
    }
    if (m.format !== FORMAT) throw new DecodeError(`unknown cluster command format ${m.format}`)
    if (m.propose !== undefined) {
      const v = version(m.propose.mapVersion, 'a proposal')
      if (v === 0) throw new DecodeError('a proposal needs a map version above 0')
      return { type: 'propose', version: v, map: decodeShardMap(m.propose.shardMap) }
    }
    if (m.commit !== undefined) {
      const v = version(m.commit.mapVersion, 'a commit')
      if (v === 0) throw new DecodeError('a commit needs a map version above 0')
      return { type: 'commit', version: v }
    }
    throw new DecodeError('a cluster command with no body')
  })
}

/** The coordinator's part of a Raft snapshot. */
export interface CoordinatorSnapshot {
  maxVersion: number
  committed?: { version: number, map: ShardMap }
  pending?: { version: number, map: ShardMap }
}

export function encodeCoordinatorSnapshot (s: CoordinatorSnapshot): Uint8Array {
  return State.encode(State.fromObject({
    format: FORMAT,
    maxVersion: s.maxVersion,
    committedVersion: s.committed?.version ?? 0,
    committedMap: s.committed === undefined ? new Uint8Array() : encodeShardMap(s.committed.map),
    pendingVersion: s.pending?.version ?? 0,
    pendingMap: s.pending === undefined ? new Uint8Array() : encodeShardMap(s.pending.map)
  })).finish()
}

export function decodeCoordinatorSnapshot (bytes: Uint8Array): CoordinatorSnapshot {
  return decodeWith('a coordinator snapshot', () => {
    const m = State.toObject(State.decode(bytes), { defaults: true }) as {
      format: number, maxVersion: unknown, committedVersion: unknown, committedMap: Uint8Array, pendingVersion: unknown, pendingMap: Uint8Array
    }
    if (m.format !== FORMAT) throw new DecodeError(`unknown coordinator snapshot format ${m.format}`)
    const out: CoordinatorSnapshot = { maxVersion: version(m.maxVersion, 'max_version') }
    const cv = version(m.committedVersion, 'committed_version')
    const pv = version(m.pendingVersion, 'pending_version')
    if (cv > 0) out.committed = { version: cv, map: decodeShardMap(m.committedMap) }
    if (pv > 0) out.pending = { version: pv, map: decodeShardMap(m.pendingMap) }
    if (cv > out.maxVersion || pv > out.maxVersion || (pv > 0 && pv <= cv)) throw new DecodeError('a coordinator snapshot with inconsistent versions')
    return out
  })
}

/** An ack of a proposal, as a node sends it to the leader. */
export function encodeAck (ack: { version: number, nodeId: string }): Uint8Array {
  return Ack.encode(Ack.fromObject({ format: FORMAT, mapVersion: ack.version, nodeId: ack.nodeId })).finish()
}

export function decodeAck (bytes: Uint8Array): { version: number, nodeId: string } {
  return decodeWith('a shard map ack', () => {
    const m = Ack.toObject(Ack.decode(bytes), { defaults: true }) as { format: number, mapVersion: unknown, nodeId: string }
    if (m.format !== FORMAT) throw new DecodeError(`unknown ack format ${m.format}`)
    const v = version(m.mapVersion, 'an ack')
    if (v === 0 || m.nodeId === '') throw new DecodeError('an ack needs a map version and a node id')
    return { version: v, nodeId: m.nodeId }
  })
}
