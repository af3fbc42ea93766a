import { InvalidArgumentError } from '@clusterfunk/core'
import { MAX_NODE_ID_BYTES, MAX_NODES, MAX_SHARDS, MAX_WEIGHT, MIN_SHARDS, MIN_WEIGHT } from './constants.js'

/** One node of a map: its id and weight. */
export interface NodeWeight {
  readonly id: string
  readonly weight: number
}

/**
 * A node set: a Map or record of node id → weight, or a list of node ids
 * (each of weight 1).
 */
export type NodeSet = ReadonlyMap<string, number> | Readonly<Record<string, number>> | readonly string[]

/** Throws InvalidArgumentError unless `shardCount` is an integer in 1..MAX_SHARDS. */
export function checkShardCount (shardCount: number): void {
  if (!Number.isInteger(shardCount) || shardCount < MIN_SHARDS || shardCount > MAX_SHARDS) {
    throw new InvalidArgumentError(`shardCount must be an integer from ${MIN_SHARDS} to ${MAX_SHARDS}, got ${String(shardCount)}`)
  }
}

/** Throws InvalidArgumentError unless `id` is a non-empty string of at most MAX_NODE_ID_BYTES UTF-8 bytes. */
export function checkNodeId (id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidArgumentError(`a node id must be a non-empty string, got ${JSON.stringify(id) ?? String(id)}`)
  }
  // A UTF-16 unit encodes to at most 3 bytes, so short ids skip the byte count.
  if (id.length * 3 > MAX_NODE_ID_BYTES && Buffer.byteLength(id, 'utf8') > MAX_NODE_ID_BYTES) {
    throw new InvalidArgumentError(`node id "${id.slice(0, 32)}…" is longer than ${MAX_NODE_ID_BYTES} UTF-8 bytes`)
  }
}

/** Throws InvalidArgumentError unless `weight` is an integer in MIN_WEIGHT..MAX_WEIGHT. */
export function checkWeight (id: string, weight: unknown): asserts weight is number {
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
    throw new InvalidArgumentError(`weight of node "${id}" must be an integer from ${MIN_WEIGHT} to ${MAX_WEIGHT}, got ${String(weight)}`)
  }
}

function entriesOf (nodes: NodeSet): Array<[string, unknown]> {
  if (Array.isArray(nodes)) return (nodes as readonly unknown[]).map((id) => [id as string, 1])
  if (nodes instanceof Map) return [...(nodes as ReadonlyMap<string, unknown>).entries()]
  if (typeof nodes === 'object' && nodes !== null) return Object.entries(nodes)
  throw new InvalidArgumentError('nodes must be a Map or record of node id → weight, or an array of node ids')
}

/**
 * Validates a node set and returns it sorted by id (JavaScript string order,
 * i.e. UTF-16 code units), so the result does not depend on input order.
 */
export function normalizeNodes (nodes: NodeSet): NodeWeight[] {
  const entries = entriesOf(nodes)
  if (entries.length > MAX_NODES) {
    throw new InvalidArgumentError(`a shard map holds at most ${MAX_NODES} nodes, got ${entries.length}`)
  }
  const out: NodeWeight[] = []
  for (const [id, weight] of entries) {
    checkNodeId(id)
    checkWeight(id, weight)
    out.push({ id, weight })
  }
  out.sort((a, b) => compareIds(a.id, b.id))
  for (let i = 1; i < out.length; i++) {
    if ((out[i] as NodeWeight).id === (out[i - 1] as NodeWeight).id) {
      throw new InvalidArgumentError(`node id "${(out[i] as NodeWeight).id}" appears more than once`)
    }
  }
  return out
}

/** The one id order every machine uses: JavaScript string order (UTF-16 code units). */
export function compareIds (a: string, b: string): number {
  return a < b ? -1 : (a > b ? 1 : 0)
}
