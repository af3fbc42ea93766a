import type { UserEvent } from '../coordination/events.js'
import { shardForKey, type ShardKey, type ShardMap } from '@clusterfunk/sharding'
import type { ClusterRole, ClusterState, LivenessStatus, Suffrage, SwimStatus } from '@clusterfunk/management'

/** The events of a `Cluster` (`addEventListener`, or `events()` as an async iterator). */
// A type, not an interface: TypedEventEmitter needs an index-compatible map.
export type ClusterEvents = {
  /** This node's state changed. */
  'state:change': { state: ClusterState, previous: ClusterState }
  /** This node's role changed. */
  'role:change': { role: ClusterRole, previous: ClusterRole }
  /** The leader this node knows changed (undefined: none known). */
  'leader:change': { leaderId: string | undefined }
  /** A map was committed: the shards this node gained and lost, and the map's version. */
  'shards:change': { version: number, gained: number[], lost: number[] }
  /**
   * The leader applied the commit of a map it proposed (leader only):
   * `ackedMs` from appending the proposal to appending its commit (every
   * node in the map acked), `durationMs` to applying that commit here.
   * Not carried by the management API's event stream.
   */
  'reshard:done': { version: number, nodes: number, ackedMs: number, durationMs: number }
  /** SWIM saw a member join (or come back). */
  'node:join': { nodeId: string }
  /** SWIM saw a member leave or fail. */
  'node:leave': { nodeId: string }
  /** The leader's liveness checker declared a node dead (leader only). */
  'node:dead': { nodeId: string }
  /** The leader's liveness checker heard a node again (leader only). */
  'node:alive': { nodeId: string }
  /** A user event reached this node (`fire` on any node, this one included; coalesced when asked). */
  'event:user': UserEvent
}

/** One node as `Cluster.nodes()` reports it. */
export interface ClusterNode {
  id: string
  /** Its place in the Raft configuration. */
  suffrage: Suffrage
  /** What SWIM says of it. */
  swim: SwimStatus
  /** What the leader's liveness checker says of it (`Unknown` on other nodes). */
  liveness: LivenessStatus
  /** Whether it leads. */
  leader: boolean
  /** Its endpoints, name (without `ep.`) → address. */
  endpoints: Record<string, string>
}

/**
 * The committed shard map as a node serves from it. Empty (every lookup
 * undefined, `version` 0) until the first map is committed.
 */
export class ShardView {
  /** Shards in the map. */
  readonly shardCount: number
  private readonly current: () => { version: number, map: ShardMap } | undefined

  constructor (shardCount: number, current: () => { version: number, map: ShardMap } | undefined) {
    this.shardCount = shardCount
    this.current = current
  }

  /** Version of the committed map (0: none yet). */
  get version (): number { return this.current()?.version ?? 0 }
  /** The committed map itself, if any. */
  get map (): ShardMap | undefined { return this.current()?.map }

  /** The shard a key falls in (a stable hash of strings, bytes and integers). */
  shardFor (key: ShardKey): number {
    return shardForKey(key, this.shardCount)
  }

  /** The node that owns `key`'s shard in the committed map. */
  nodeFor (key: ShardKey): string | undefined {
    return this.current()?.map.nodeFor(this.shardFor(key))
  }

  /** The node that owns shard number `shard`. */
  ownerOf (shard: number): string | undefined {
    return this.current()?.map.nodeFor(shard)
  }

  /** The shards `nodeId` owns in the committed map, ascending. */
  shardsOf (nodeId: string): number[] {
    return this.current()?.map.shardsOf(nodeId) ?? []
  }
}
