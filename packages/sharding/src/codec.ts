import { DecodeError, InvalidArgumentError } from '@clusterfunk/core'
import { loadType, type protobuf } from '@clusterfunk/proto'
import { FORMAT_VERSION, FORMAT_VERSION_REPLICATED, MAX_NODE_ID_BYTES, MAX_NODES, MAX_REPLICATION_FACTOR, MAX_SHARDS } from './constants.js'
import { ShardMap, replicasPerShard } from './shard-map.js'
import type { NodeWeight } from './validate.js'

/**
 * The largest encoding a valid map can have: owners and replicas at 2 bytes
 * an index (R indexes a shard), every node with a maximal id and weight (id
 * + weight + tags + lengths ≤ 16 bytes more), and the header. Longer input
 * is rejected before decoding.
 */
export const MAX_ENCODED_BYTES = 48 + MAX_SHARDS * 2 * MAX_REPLICATION_FACTOR + MAX_NODES * (MAX_NODE_ID_BYTES + 16)

interface WireNode { id: string, weight: number }
interface WireMap {
  version: number, shardCount: number, nodes: WireNode[]
  nodeCount?: number, ownerWidth?: number, owners?: Uint8Array, replicationFactor?: number, replicas?: Uint8Array
}

let type: protobuf.Type | undefined
function shardMapType (): protobuf.Type {
  type ??= loadType('sharding.proto', 'clusterfunk.sharding.ShardMap')
  return type
}

/** Bytes per owner index: the smallest width that fits every index. */
function widthFor (nodeCount: number): number {
  return nodeCount === 0 ? 0 : (nodeCount <= 256 ? 1 : 2)
}

/** Encodes a map as a `clusterfunk.sharding.ShardMap` (proto/sharding.proto). */
export function encodeShardMap (map: ShardMap): Uint8Array {
  const nodes = map.nodes().map((n) => ({ id: n.id, weight: n.weight }))
  const width = widthFor(nodes.length)
  const owners = packIndexes(nodes.length === 0 ? new Uint16Array(0) : map.owners(), width)
  // Proto3 leaves a field at its default off the wire: an empty map sets none of its zero fields, so
  // every protobufjs major writes the same bytes.
  const message: WireMap = { version: FORMAT_VERSION, shardCount: map.shardCount, nodes }
  if (nodes.length > 0) {
    message.nodeCount = nodes.length
    message.ownerWidth = width
    message.owners = owners
  }
  if (map.replicationFactor > 1) {
    message.version = FORMAT_VERSION_REPLICATED
    message.replicationFactor = map.replicationFactor
    const replicas = packIndexes(map.replicaIndexes(), width)
    if (replicas.length > 0) message.replicas = replicas
  }
  return shardMapType().encode(message).finish()
}

/** Indexes as `width` bytes each, little-endian, written byte by byte so the layout does not depend on the host. */
function packIndexes (src: Uint16Array, width: number): Uint8Array {
  if (width === 1) return Uint8Array.from(src)
  const out = new Uint8Array(src.length * 2)
  for (let s = 0; s < src.length; s++) {
    const o = src[s] as number
    out[2 * s] = o & 0xff
    out[2 * s + 1] = o >>> 8
  }
  return out
}

function unpackIndexes (bytes: Uint8Array, count: number, width: number): Uint16Array {
  const index = new Uint16Array(count)
  if (width === 1) index.set(bytes)
  else for (let s = 0; s < count; s++) index[s] = (bytes[2 * s] as number) | ((bytes[2 * s + 1] as number) << 8)
  return index
}

/**
 * Decodes bytes written by {@link encodeShardMap}.
 * @throws DecodeError for anything else: random or truncated bytes, another
 *   version, sizes beyond the limits, unsorted or duplicate nodes, invalid
 *   ids or weights, an owner list of the wrong length, an owner index out of range
 */
export function decodeShardMap (bytes: Uint8Array): ShardMap {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('a shard map must be decoded from a Uint8Array')
  if (bytes.length > MAX_ENCODED_BYTES) throw new DecodeError(`shard map encoding of ${bytes.length} bytes exceeds the ${MAX_ENCODED_BYTES}-byte limit`)
  let message: WireMap
  try {
    // protobufjs checks every length prefix against the input end, so what
    // it allocates is bounded by the input size, itself bounded above.
    message = shardMapType().decode(bytes) as unknown as WireMap
  } catch (err) {
    throw new DecodeError(`malformed shard map: ${(err as Error).message}`, { cause: err })
  }
  if (message.version !== FORMAT_VERSION && message.version !== FORMAT_VERSION_REPLICATED) {
    throw new DecodeError(`unsupported shard map version ${message.version} (expected ${FORMAT_VERSION} or ${FORMAT_VERSION_REPLICATED})`)
  }
  // A field left off the wire reads as its default.
  const { shardCount, nodes } = message
  const nodeCount = message.nodeCount ?? 0
  const ownerWidth = message.ownerWidth ?? 0
  const owners = message.owners ?? new Uint8Array(0)
  const r = message.replicationFactor ?? 0
  const replicaBytes = message.replicas ?? new Uint8Array(0)
  if (message.version === FORMAT_VERSION && (r !== 0 || replicaBytes.length !== 0)) {
    throw new DecodeError(`a version ${FORMAT_VERSION} shard map carries no replication factor or replicas`)
  }
  if (message.version === FORMAT_VERSION_REPLICATED && !(r >= 2 && r <= MAX_REPLICATION_FACTOR)) {
    throw new DecodeError(`replication factor ${r} outside 2..${MAX_REPLICATION_FACTOR} in a version ${FORMAT_VERSION_REPLICATED} shard map`)
  }
  const factor = message.version === FORMAT_VERSION ? 1 : r
  if (!(shardCount >= 1 && shardCount <= MAX_SHARDS)) throw new DecodeError(`shard count ${shardCount} outside 1..${MAX_SHARDS}`)
  if (nodes.length > MAX_NODES) throw new DecodeError(`${nodes.length} nodes exceed the limit of ${MAX_NODES}`)
  if (nodeCount !== nodes.length) throw new DecodeError(`node count ${nodeCount} does not match the ${nodes.length} nodes listed`)
  const width = widthFor(nodes.length)
  if (ownerWidth !== width) throw new DecodeError(`owner width ${ownerWidth} does not match ${nodes.length} nodes (expected ${width})`)
  if (owners.length !== shardCount * width) {
    throw new DecodeError(`owners hold ${owners.length} bytes, expected ${shardCount} shards × ${width}`)
  }
  const k = replicasPerShard(factor, nodes.length)
  if (replicaBytes.length !== shardCount * k * width) {
    throw new DecodeError(`replicas hold ${replicaBytes.length} bytes, expected ${shardCount} shards × ${k} replicas × ${width}`)
  }
  const index = unpackIndexes(owners, nodes.length === 0 ? 0 : shardCount, width)
  const replicas = unpackIndexes(replicaBytes, shardCount * k, width)
  try {
    const list: NodeWeight[] = nodes.map((n) => ({ id: n.id, weight: n.weight }))
    return ShardMap.fromAssignment(shardCount, list, index, { replicationFactor: factor, replicas })
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new DecodeError(`invalid shard map: ${err.message}`, { cause: err })
    throw err
  }
}
