// Shard maps: which node owns which shard, how keys find their shard, and the wire form.

// Limits and fixed values of the wire contract.
export {
  FORMAT_VERSION, FORMAT_VERSION_REPLICATED, HASH_SEED, MAX_NODES, MAX_NODE_ID_BYTES, MAX_REPLICATION_FACTOR, MAX_SHARDS, MAX_WEIGHT,
  MIN_REPLICATION_FACTOR, MIN_SHARDS, MIN_WEIGHT
} from './constants.js'

// The map and the nodes it is built from.
export { ShardMap, checkReplicationFactor, type NodeInfo, type ShardMapOptions, type ShardRole } from './shard-map.js'
export type { NodeSet, NodeWeight } from './validate.js'

// Keys to shards.
export { hashKey, shardForKey, type ShardKey } from './hash.js'

// What changed between two maps.
export { diff, type NodeChange, type ShardMapDiff } from './diff.js'

// The encoding.
export { MAX_ENCODED_BYTES, decodeShardMap, encodeShardMap } from './codec.js'
