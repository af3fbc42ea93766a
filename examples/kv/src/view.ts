import type { Cluster } from '@clusterfunk/cluster'
import { encodeShardMap } from '@clusterfunk/sharding'
import type { RoutingView } from './routing.js'

/** What the kv HTTP server needs of its node: routing lookups, the state and its changes. */
export interface KvClusterView extends RoutingView {
  readonly state: string
  /** The version of the committed map routing reads (0 before the first). */
  readonly mapVersion: number
  /** The committed map in the sharding package's binary form, with its version; undefined before the first. */
  committedMap: () => { version: number, bytes: Uint8Array } | undefined
  /** The replicas of `shard` in the committed map (empty with replication factor 1). */
  replicasOf: (shard: number) => string[]
  /** Every node of the committed map. */
  mapNodes: () => string[]
  /** Calls `listener` on every state change until the returned function is called. */
  onStateChange: (listener: (state: string) => void) => () => void
}

/** The endpoint name the kv service publishes (SWIM tag `ep.kv`). */
export const KV_ENDPOINT = 'kv'

/**
 * A `Cluster` seen through `KvClusterView`. Endpoints are trusted when
 * gossip is encrypted (AES-GCM authenticates every packet), or when
 * `trustUnauthenticatedGossip` says so (a plain node, which promises nothing).
 */
export function clusterView (cluster: Cluster, trustUnauthenticatedGossip = true): KvClusterView {
  return {
    get nodeId () { return cluster.nodeId },
    get endpointsTrusted () { return trustUnauthenticatedGossip || cluster.gossipAuthenticated },
    get state () { return cluster.state },
    get mapVersion () { return cluster.shards.version },
    committedMap: () => {
      const map = cluster.shards.map
      return map === undefined ? undefined : { version: cluster.shards.version, bytes: encodeShardMap(map) }
    },
    shardFor: key => cluster.shards.shardFor(key),
    ownerOf: shard => cluster.shards.ownerOf(shard),
    replicasOf: shard => cluster.shards.replicasOf(shard),
    mapNodes: () => cluster.shards.map?.nodes().map(n => n.id) ?? [],
    kvEndpoint: id => cluster.endpoint(id, KV_ENDPOINT),
    onStateChange: listener => {
      const handler = (e: CustomEvent<{ state: string }>): void => { listener(e.detail.state) }
      cluster.addEventListener('state:change', handler)
      return () => { cluster.removeEventListener('state:change', handler) }
    }
  }
}
