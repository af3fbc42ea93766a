import { DecodeError, InvalidArgumentError } from '@clusterfunk/core'
import { loadType, type protobuf } from '@clusterfunk/proto'
import { FORMAT_VERSION, MAX_NODE_ID_BYTES, MAX_NODES, MAX_SHARDS } from './constants.js'
import { ShardMap } from './shard-map.js'
import type { NodeWeight } from './validate.js'

/**
 * The largest encoding a valid map can have: owners at 2 bytes a shard,
 * every node with a maximal id and weight (id + weight + tags + lengths ≤ 16
 * bytes more), and the header. Longer input is rejected before decoding.
 */
export const MAX_ENCODED_BYTES = 32 + MAX_SHARDS * 2 + MAX_NODES * (MAX_NODE_ID_BYTES + 16)

interface WireNode { id: string, weight: number }
interface WireMap { version: number, nodeCount: number, shardCount: number, nodes: WireNode[], ownerWidth: number, owners: Uint8Array }

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
  const src = nodes.length === 0 ? new Uint16Array(0) : map.owners()
  let owners: Uint8Array
  if (width === 1) {
    owners = Uint8Array.from(src)
  } else {
    // Little-endian written byte by byte, so the layout does not depend on the host.
    owners = new Uint8Array(src.length * 2)
    for (let s = 0; s < src.length; s++) {
      const o = src[s] as number
      owners[2 * s] = o & 0xff
      owners[2 * s + 1] = o >>> 8
    }
  }
  const message: WireMap = { version: FORMAT_VERSION, nodeCount: nodes.length, shardCount: map.shardCount, nodes, ownerWidth: width, owners }
  return shardMapType().encode(message).finish()
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
  if (message.version !== FORMAT_VERSION) throw new DecodeError(`unsupported shard map version ${message.version} (expected ${FORMAT_VERSION})`)
  const { nodeCount, shardCount, nodes, ownerWidth, owners } = message
  if (!(shardCount >= 1 && shardCount <= MAX_SHARDS)) throw new DecodeError(`shard count ${shardCount} outside 1..${MAX_SHARDS}`)
  if (nodes.length > MAX_NODES) throw new DecodeError(`${nodes.length} nodes exceed the limit of ${MAX_NODES}`)
  if (nodeCount !== nodes.length) throw new DecodeError(`node count ${nodeCount} does not match the ${nodes.length} nodes listed`)
  const width = widthFor(nodes.length)
  if (ownerWidth !== width) throw new DecodeError(`owner width ${ownerWidth} does not match ${nodes.length} nodes (expected ${width})`)
  if (owners.length !== shardCount * width) {
    throw new DecodeError(`owners hold ${owners.length} bytes, expected ${shardCount} shards × ${width}`)
  }
  const index = new Uint16Array(nodes.length === 0 ? 0 : shardCount)
  if (width === 1) index.set(owners)
  else for (let s = 0; s < index.length; s++) index[s] = (owners[2 * s] as number) | ((owners[2 * s + 1] as number) << 8)
  try {
    const list: NodeWeight[] = nodes.map((n) => ({ id: n.id, weight: n.weight }))
    return ShardMap.fromAssignment(shardCount, list, index)
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new DecodeError(`invalid shard map: ${err.message}`, { cause: err })
    throw err
  }
}
