import { InvalidArgumentError } from '@clusterfunk/core'
import { hashKey, type ShardKey } from './hash.js'
import { rebalance } from './rebalance.js'
import { checkNodeId, checkShardCount, checkWeight, compareIds, normalizeNodes, type NodeSet, type NodeWeight } from './validate.js'

/** A node of a map as {@link ShardMap.nodes} lists it. */
export interface NodeInfo {
  readonly id: string
  readonly weight: number
  /** Shards the node owns. */
  readonly shards: number
}

const NO_OWNERS = new Uint16Array(0)

/**
 * An immutable assignment of shards 0..S-1 to weighted nodes.
 *
 * Start from {@link ShardMap.init} and derive each next map with
 * {@link ShardMap.update}; the result is a pure function of the previous
 * map and the new node set, so every machine that applies the same updates
 * holds the same map. See the README for the balance and movement
 * guarantees.
 */
export class ShardMap {
  /** Number of shards S; shards are numbered 0..S-1. */
  readonly shardCount: number
  readonly #nodes: readonly NodeWeight[]
  readonly #ids: readonly string[]
  readonly #index: ReadonlyMap<string, number>
  readonly #owners: Uint16Array
  readonly #counts: Int32Array

  private constructor (shardCount: number, nodes: readonly NodeWeight[], owners: Uint16Array, counts: Int32Array) {
    this.shardCount = shardCount
    this.#nodes = nodes
    this.#ids = nodes.map((n) => n.id)
    this.#index = new Map(this.#ids.map((id, i) => [id, i]))
    this.#owners = owners
    this.#counts = counts
  }

  /**
   * A map of `shardCount` shards over `nodes` (id → weight, or a list of ids
   * of weight 1). Without nodes it is the empty map that no node owns
   * anything in yet, the starting point for {@link ShardMap.update}.
   * @throws InvalidArgumentError for a shard count outside 1..1 048 576, a weight
   *   outside 1..1 000 000, an empty id, or an id over 256 UTF-8 bytes
   */
  static init (shardCount: number, nodes?: NodeSet): ShardMap {
    checkShardCount(shardCount)
    const empty = new ShardMap(shardCount, [], NO_OWNERS, new Int32Array(0))
    return nodes === undefined ? empty : empty.update(nodes)
  }

  /**
   * Rebuilds a map from an explicit assignment (used by the decoder), after
   * checking it: nodes sorted by id without duplicates, valid ids and
   * weights, one owner index below the node count per shard.
   * @throws InvalidArgumentError when any of that does not hold
   */
  static fromAssignment (shardCount: number, nodes: readonly NodeWeight[], owners: Uint16Array): ShardMap {
    checkShardCount(shardCount)
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as NodeWeight
      checkNodeId(node.id)
      checkWeight(node.id, node.weight)
      if (i > 0 && compareIds((nodes[i - 1] as NodeWeight).id, node.id) >= 0) {
        throw new InvalidArgumentError('nodes must be sorted by id without duplicates')
      }
    }
    if (nodes.length === 0) {
      if (owners.length !== 0) throw new InvalidArgumentError('a map without nodes has no owners')
      return new ShardMap(shardCount, [], NO_OWNERS, new Int32Array(0))
    }
    if (owners.length !== shardCount) {
      throw new InvalidArgumentError(`expected ${shardCount} owners, got ${owners.length}`)
    }
    const counts = new Int32Array(nodes.length)
    for (let s = 0; s < shardCount; s++) {
      const o = owners[s] as number
      if (o >= nodes.length) throw new InvalidArgumentError(`shard ${s} has owner index ${o}, but there are ${nodes.length} nodes`)
      counts[o] = (counts[o] as number) + 1
    }
    return new ShardMap(shardCount, nodes.map((n) => ({ id: n.id, weight: n.weight })), owners.slice(), counts)
  }

  /**
   * A new map for the node set `nodes`; this map is unchanged. Balanced
   * (each node holds ⌊S·w/W⌋ or ⌈S·w/W⌉ shards) and moves the fewest shards
   * any balanced map could. Input order does not matter.
   * @throws InvalidArgumentError for invalid ids or weights, or duplicate ids
   */
  update (nodes: NodeSet): ShardMap {
    const sorted = normalizeNodes(nodes)
    if (sorted.length === 0) return new ShardMap(this.shardCount, [], NO_OWNERS, new Int32Array(0))
    const { owners, counts } = rebalance(this.shardCount, this.#ids, this.#owners, sorted)
    return new ShardMap(this.shardCount, sorted, owners, counts)
  }

  /**
   * The node that owns `shard`, or undefined when the map has no nodes.
   * @throws InvalidArgumentError unless `shard` is an integer in 0..shardCount-1
   */
  nodeFor (shard: number): string | undefined {
    if (!(shard >= 0 && shard < this.shardCount && Number.isInteger(shard))) {
      throw new InvalidArgumentError(`shard must be an integer from 0 to ${this.shardCount - 1}, got ${String(shard)}`)
    }
    if (this.#ids.length === 0) return undefined
    return this.#ids[this.#owners[shard] as number]
  }

  /** The shard of `key` (see {@link hashKey} for the canonical key forms). */
  shardFor (key: ShardKey): number {
    return hashKey(key) % this.shardCount
  }

  /** The shards `node` owns, ascending; empty for a node not in the map. */
  shardsOf (node: string): number[] {
    const i = this.#index.get(node)
    if (i === undefined) return []
    const out = new Array<number>(this.#counts[i] as number)
    let k = 0
    for (let s = 0; s < this.shardCount; s++) if (this.#owners[s] === i) out[k++] = s
    return out
  }

  /** Shards `node` owns; 0 for a node not in the map. */
  countOf (node: string): number {
    const i = this.#index.get(node)
    return i === undefined ? 0 : this.#counts[i] as number
  }

  /** Whether `node` is in the map. */
  has (node: string): boolean {
    return this.#index.has(node)
  }

  /** The nodes, sorted by id, with weight and shard count. */
  nodes (): NodeInfo[] {
    return this.#nodes.map((n, i) => ({ id: n.id, weight: n.weight, shards: this.#counts[i] as number }))
  }

  /** The owner index (into {@link ShardMap.nodes}) of every shard: a copy. */
  owners (): Uint16Array {
    return this.#owners.slice()
  }

  /** Whether `other` has the same shard count, nodes, weights and owners. */
  equals (other: ShardMap): boolean {
    if (other.shardCount !== this.shardCount || other.#nodes.length !== this.#nodes.length) return false
    for (let i = 0; i < this.#nodes.length; i++) {
      const a = this.#nodes[i] as NodeWeight
      const b = other.#nodes[i] as NodeWeight
      if (a.id !== b.id || a.weight !== b.weight) return false
    }
    for (let s = 0; s < this.#owners.length; s++) if (this.#owners[s] !== other.#owners[s]) return false
    return true
  }
}
