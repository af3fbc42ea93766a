/** Limits and fixed values of shard maps; each is part of the wire contract. */

/** The fewest shards a map can have. */
export const MIN_SHARDS = 1
/** The most shards a map can have (2^20): keeps an encoding ≤ 2 MiB of owners. */
export const MAX_SHARDS = 1_048_576
/** The most nodes a map can hold: owner indexes fit in 16 bits. */
export const MAX_NODES = 65_536
/** The smallest node weight. */
export const MIN_WEIGHT = 1
/**
 * The largest node weight. With MAX_SHARDS and MAX_NODES every product
 * S·w and sum of weights stays far below 2^53, so the arithmetic is exact.
 */
export const MAX_WEIGHT = 1_000_000
/** The longest node id, in UTF-8 bytes. */
export const MAX_NODE_ID_BYTES = 256
/** The shard-map encoding version of a map with one owner a shard (replication factor 1); this code writes and accepts it. */
export const FORMAT_VERSION = 1
/** The encoding version of a map with replicas (replication factor 2 or more): version 1 plus the factor and the replica indexes. */
export const FORMAT_VERSION_REPLICATED = 2
/** The smallest replication factor: one owner (the primary) a shard. */
export const MIN_REPLICATION_FACTOR = 1
/** The largest replication factor: a primary and up to 7 replicas a shard (keeps an encoding ≤ 16 MiB). */
export const MAX_REPLICATION_FACTOR = 8
/**
 * The seed of the XXH32 key hash. Zero, so any standard XXH32 implementation
 * (`xxhsum -H0`, Go's xxhash32 packages, …) reproduces `shardForKey`.
 */
export const HASH_SEED = 0
