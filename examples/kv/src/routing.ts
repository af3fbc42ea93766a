/** What a node does with a request for a key, given its committed map. */
export type Route =
  | { kind: 'local', shard: number }
  | { kind: 'forward', shard: number, owner: string, url: string }
  | { kind: 'unavailable', shard: number, reason: string }
  | { kind: 'untrusted', shard: number, owner: string, reason: string }

/** The map lookups routing needs (a `Cluster`, or a fake in tests). */
export interface RoutingView {
  readonly nodeId: string
  shardFor: (key: string) => number
  ownerOf: (shard: number) => string | undefined
  /** The owner's `ep.kv` base URL, if it publishes one. */
  kvEndpoint: (nodeId: string) => string | undefined
  /**
   * Whether endpoints learned from gossip may receive client writes: false
   * on a secured node whose gossip is not authenticated, where a forged
   * `ep.kv` tag could re-point a peer at an attacker.
   */
  readonly endpointsTrusted: boolean
}

/**
 * Routes `key`: served here when this node owns its shard; otherwise sent
 * one hop to the owner. A request that was already forwarded is never sent
 * on again: if this node's map disagrees with the sender's, one of the two
 * maps is stale, and bouncing it could loop until the maps agree.
 */
export function route (view: RoutingView, key: string, forwarded: boolean): Route {
  const shard = view.shardFor(key)
  const owner = view.ownerOf(shard)
  if (owner === undefined) return { kind: 'unavailable', shard, reason: `shard ${shard} has no owner in the committed map` }
  if (owner === view.nodeId) return { kind: 'local', shard }
  if (forwarded) return { kind: 'unavailable', shard, reason: `forwarded here, but shard ${shard} belongs to ${owner} in this node's map` }
  if (!view.endpointsTrusted) {
    return { kind: 'untrusted', shard, owner, reason: `shard ${shard} belongs to ${owner}, but its ep.kv endpoint came from unauthenticated gossip: ask ${owner} directly (or start nodes with --gossip-key)` }
  }
  const url = view.kvEndpoint(owner)
  if (url === undefined) return { kind: 'unavailable', shard, reason: `owner ${owner} publishes no ep.kv endpoint` }
  return { kind: 'forward', shard, owner, url }
}
