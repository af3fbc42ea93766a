import { InvalidArgumentError } from '@clusterfunk/core'
import { hashKey, type ShardKey } from './hash.js'
import { MAX_REPLICATION_FACTOR, MIN_REPLICATION_FACTOR } from './constants.js'
import { rebalance } from './rebalance.js'
import { assignReplicas } from './replicas.js'
import { checkNodeId, checkShardCount, checkWeight, compareIds, normalizeNodes, type NodeSet, type NodeWeight } from './validate.js'

/** A node of a map as {@link ShardMap.nodes} lists it. */
export interface NodeInfo {
  readonly id: string
  readonly weight: number
  /** Shards the node is the primary of. */
  readonly shards: number
  /** Shards the node is a replica of (0 with replication factor 1). */
  readonly replicas: number
}

/** The role a node holds a shard in: its primary, one of its replicas, or either. */
export type ShardRole = 'primary' | 'replica' | 'any'

/** Options of a map: how many distinct owners each shard has. */
export interface ShardMapOptions {
  /**
   * Owners a shard: a primary and R − 1 replicas, integer 1..8 (fewer when
   * the map has fewer nodes). Default 1 (or, for `update`, the map's own).
   */
  readonly replicationFactor?: number
}

const NO_OWNERS = new Uint16Array(0)
const NO_COUNTS = new Int32Array(0)

/** Throws InvalidArgumentError unless `r` is an integer in 1..MAX_REPLICATION_FACTOR. */
export function checkReplicationFactor (r: unknown): asserts r is number {
  if (typeof r !== 'number' || !Number.isInteger(r) || r < MIN_REPLICATION_FACTOR || r > MAX_REPLICATION_FACTOR) {
    throw new InvalidArgumentError(`replicationFactor must be an integer from ${MIN_REPLICATION_FACTOR} to ${MAX_REPLICATION_FACTOR}, got ${String(r)}`)
  }
}

/**
 * An immutable assignment of shards 0..S-1 to weighted nodes: each shard has
 * a primary and, with a replication factor R above 1, R − 1 replicas, all
 * distinct nodes (fewer replicas only when the map has fewer than R nodes).
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
  /** Owners a shard is meant to have (a primary and R − 1 replicas). */
  readonly replicationFactor: number
  readonly #nodes: readonly NodeWeight[]
  readonly #ids: readonly string[]
  readonly #index: ReadonlyMap<string, number>
  readonly #owners: Uint16Array
  readonly #counts: Int32Array
  /** Replicas a shard in this map: min(R, nodes) − 1 (0 without nodes). */
  readonly #k: number
  readonly #replicas: Uint16Array
  readonly #replicaCounts: Int32Array

  private constructor (
    shardCount: number, replicationFactor: number, nodes: readonly NodeWeight[], owners: Uint16Array, counts: Int32Array,
    replicas: Uint16Array = NO_OWNERS, replicaCounts: Int32Array = new Int32Array(nodes.length)
  ) {
    this.shardCount = shardCount
    this.replicationFactor = replicationFactor
    this.#nodes = nodes
    this.#ids = nodes.map((n) => n.id)
    this.#index = new Map(this.#ids.map((id, i) => [id, i]))
    this.#owners = owners
    this.#counts = counts
    this.#k = replicasPerShard(replicationFactor, nodes.length)
    this.#replicas = replicas
    this.#replicaCounts = replicaCounts
  }

  /**
   * A map of `shardCount` shards over `nodes` (id → weight, or a list of ids
   * of weight 1). Without nodes it is the empty map that no node owns
   * anything in yet, the starting point for {@link ShardMap.update}.
   * @throws InvalidArgumentError for a shard count outside 1..1 048 576, a weight
   *   outside 1..1 000 000, an empty id, an id over 256 UTF-8 bytes, or a
   *   replication factor outside 1..8
   */
  static init (shardCount: number, nodes?: NodeSet, options: ShardMapOptions = {}): ShardMap {
    checkShardCount(shardCount)
    const r = options.replicationFactor ?? 1
    checkReplicationFactor(r)
    const empty = new ShardMap(shardCount, r, [], NO_OWNERS, NO_COUNTS)
    return nodes === undefined ? empty : empty.update(nodes)
  }

  /**
   * Rebuilds a map from an explicit assignment (used by the decoder), after
   * checking it: nodes sorted by id without duplicates, valid ids and
   * weights, one owner index below the node count per shard, and with a
   * replication factor R above 1, min(R, nodes) − 1 replica indexes a shard
   * (shard s at s·k …), each below the node count and distinct from the
   * shard's primary and other replicas.
   * @throws InvalidArgumentError when any of that does not hold
   */
  static fromAssignment (
    shardCount: number, nodes: readonly NodeWeight[], owners: Uint16Array, replication: { replicationFactor: number, replicas: Uint16Array } = { replicationFactor: 1, replicas: NO_OWNERS }
  ): ShardMap {
    checkShardCount(shardCount)
    checkReplicationFactor(replication.replicationFactor)
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as NodeWeight
      checkNodeId(node.id)
      checkWeight(node.id, node.weight)
      if (i > 0 && compareIds((nodes[i - 1] as NodeWeight).id, node.id) >= 0) {
        throw new InvalidArgumentError('nodes must be sorted by id without duplicates')
      }
    }
    const r = replication.replicationFactor
    const k = replicasPerShard(r, nodes.length)
    const replicas = replication.replicas
    if (replicas.length !== shardCount * k) {
      throw new InvalidArgumentError(`expected ${shardCount * k} replica indexes (${k} a shard), got ${replicas.length}`)
    }
    if (nodes.length === 0) {
      if (owners.length !== 0) throw new InvalidArgumentError('a map without nodes has no owners')
      return new ShardMap(shardCount, r, [], NO_OWNERS, NO_COUNTS)
    }
    if (owners.length !== shardCount) {
      throw new InvalidArgumentError(`expected ${shardCount} owners, got ${owners.length}`)
    }
    const counts = new Int32Array(nodes.length)
    const replicaCounts = new Int32Array(nodes.length)
    for (let s = 0; s < shardCount; s++) {
      const o = owners[s] as number
      if (o >= nodes.length) throw new InvalidArgumentError(`shard ${s} has owner index ${o}, but there are ${nodes.length} nodes`)
      counts[o] = (counts[o] as number) + 1
      for (let f = s * k; f < s * k + k; f++) {
        const x = replicas[f] as number
        if (x >= nodes.length) throw new InvalidArgumentError(`shard ${s} has replica index ${x}, but there are ${nodes.length} nodes`)
        if (x === o) throw new InvalidArgumentError(`shard ${s} has its primary ${x} as a replica`)
        for (let g = s * k; g < f; g++) if (replicas[g] === x) throw new InvalidArgumentError(`shard ${s} has replica ${x} twice`)
        replicaCounts[x] = (replicaCounts[x] as number) + 1
      }
    }
    return new ShardMap(shardCount, r, nodes.map((n) => ({ id: n.id, weight: n.weight })), owners.slice(), counts, replicas.slice(), replicaCounts)
  }

  /**
   * A new map for the node set `nodes`; this map is unchanged. Balanced per
   * role (each node is the primary of ⌊S·w/W⌋ or ⌈S·w/W⌉ shards, and holds
   * its share of the replicas likewise), moves the fewest primaries any
   * balanced map could, and keeps every replica that still fits. Input
   * order does not matter. `options.replicationFactor` changes R (default:
   * this map's).
   * @throws InvalidArgumentError for invalid ids or weights, duplicate ids,
   *   or a replication factor outside 1..8
   */
  update (nodes: NodeSet, options: ShardMapOptions = {}): ShardMap {
    const r = options.replicationFactor ?? this.replicationFactor
    checkReplicationFactor(r)
    const sorted = normalizeNodes(nodes)
    if (sorted.length === 0) return new ShardMap(this.shardCount, r, [], NO_OWNERS, NO_COUNTS)
    const { owners, counts, remap } = rebalance(this.shardCount, this.#ids, this.#owners, sorted, this.#replicas, this.#k)
    const k = replicasPerShard(r, sorted.length)
    if (k === 0) return new ShardMap(this.shardCount, r, sorted, owners, counts)
    const prev = { remap, owners: this.#ids.length === 0 ? NO_OWNERS : this.#owners, replicas: this.#replicas, k: this.#k }
    const { replicas, counts: replicaCounts } = assignReplicas(this.shardCount, k, sorted, owners, counts, prev)
    return new ShardMap(this.shardCount, r, sorted, owners, counts, replicas, replicaCounts)
  }

  /**
   * The primary of `shard`, or undefined when the map has no nodes.
   * @throws InvalidArgumentError unless `shard` is an integer in 0..shardCount-1
   */
  nodeFor (shard: number): string | undefined {
    this.#checkShard(shard)
    if (this.#ids.length === 0) return undefined
    return this.#ids[this.#owners[shard] as number]
  }

  /**
   * The replicas of `shard`, in their fixed order (empty with R = 1 or no nodes).
   * @throws InvalidArgumentError unless `shard` is an integer in 0..shardCount-1
   */
  replicasOf (shard: number): string[] {
    this.#checkShard(shard)
    const k = this.#k
    const out = new Array<string>(k)
    for (let f = 0; f < k; f++) out[f] = this.#ids[this.#replicas[shard * k + f] as number] as string
    return out
  }

  /**
   * Every owner of `shard`: the primary first, then the replicas (empty when the map has no nodes).
   * @throws InvalidArgumentError unless `shard` is an integer in 0..shardCount-1
   */
  ownersOf (shard: number): string[] {
    const primary = this.nodeFor(shard)
    return primary === undefined ? [] : [primary, ...this.replicasOf(shard)]
  }

  /** The shard of `key` (see {@link hashKey} for the canonical key forms). */
  shardFor (key: ShardKey): number {
    return hashKey(key) % this.shardCount
  }

  /**
   * The shards `node` holds in `role` (default `'primary'`), ascending;
   * empty for a node not in the map.
   */
  shardsOf (node: string, options: { role?: ShardRole } = {}): number[] {
    const role = options.role ?? 'primary'
    const i = this.#index.get(node)
    if (i === undefined) return []
    const out = new Array<number>(this.countOf(node, { role }))
    let n = 0
    for (let s = 0; s < this.shardCount; s++) {
      if (this.#roleOf(s, i) & ROLE_BITS[role]) out[n++] = s
    }
    return out
  }

  /**
   * The role `node` holds `shard` in, or undefined when it holds no copy.
   * @throws InvalidArgumentError unless `shard` is an integer in 0..shardCount-1
   */
  roleOf (shard: number, node: string): 'primary' | 'replica' | undefined {
    this.#checkShard(shard)
    const i = this.#index.get(node)
    if (i === undefined) return undefined
    const bits = this.#roleOf(shard, i)
    return bits === PRIMARY ? 'primary' : (bits === REPLICA ? 'replica' : undefined)
  }

  /** Shards `node` holds in `role` (default `'primary'`); 0 for a node not in the map. */
  countOf (node: string, options: { role?: ShardRole } = {}): number {
    const role = options.role ?? 'primary'
    const i = this.#index.get(node)
    if (i === undefined) return 0
    const primaries = this.#counts[i] as number
    const replicas = this.#replicaCounts[i] as number
    return role === 'primary' ? primaries : (role === 'replica' ? replicas : primaries + replicas)
  }

  /** Whether `node` is in the map. */
  has (node: string): boolean {
    return this.#index.has(node)
  }

  /** The nodes, sorted by id, with weight, primary and replica counts. */
  nodes (): NodeInfo[] {
    return this.#nodes.map((n, i) => ({ id: n.id, weight: n.weight, shards: this.#counts[i] as number, replicas: this.#replicaCounts[i] as number }))
  }

  /** The primary index (into {@link ShardMap.nodes}) of every shard: a copy. */
  owners (): Uint16Array {
    return this.#owners.slice()
  }

  /** Replicas a shard in this map: min(R, nodes) − 1, or 0 without nodes. */
  get replicasPerShard (): number {
    return this.#k
  }

  /** The replica indexes (into {@link ShardMap.nodes}), `replicasPerShard` a shard, shard s at s·k …: a copy. */
  replicaIndexes (): Uint16Array {
    return this.#replicas.slice()
  }

  /** Whether `other` has the same shard count, replication factor, nodes, weights, primaries and replicas. */
  equals (other: ShardMap): boolean {
    if (other.shardCount !== this.shardCount || other.replicationFactor !== this.replicationFactor || other.#nodes.length !== this.#nodes.length) return false
    for (let i = 0; i < this.#nodes.length; i++) {
      const a = this.#nodes[i] as NodeWeight
      const b = other.#nodes[i] as NodeWeight
      if (a.id !== b.id || a.weight !== b.weight) return false
    }
    for (let s = 0; s < this.#owners.length; s++) if (this.#owners[s] !== other.#owners[s]) return false
    for (let f = 0; f < this.#replicas.length; f++) if (this.#replicas[f] !== other.#replicas[f]) return false
    return true
  }

  #checkShard (shard: number): void {
    if (!(shard >= 0 && shard < this.shardCount && Number.isInteger(shard))) {
      throw new InvalidArgumentError(`shard must be an integer from 0 to ${this.shardCount - 1}, got ${String(shard)}`)
    }
  }

  /** PRIMARY, REPLICA or 0 for node index i on shard s. */
  #roleOf (s: number, i: number): number {
    if (this.#owners[s] === i) return PRIMARY
    const k = this.#k
    for (let f = s * k; f < s * k + k; f++) if (this.#replicas[f] === i) return REPLICA
    return 0
  }
}

const PRIMARY = 1
const REPLICA = 2
const ROLE_BITS: Readonly<Record<ShardRole, number>> = { primary: PRIMARY, replica: REPLICA, any: PRIMARY | REPLICA }

/** Replicas a shard for replication factor r over n nodes: min(r, n) − 1, 0 without nodes. */
export function replicasPerShard (r: number, n: number): number {
  return n === 0 ? 0 : Math.min(r, n) - 1
}
