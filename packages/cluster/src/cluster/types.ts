import type { UserEvent } from '../coordination/events.js'
import { shardForKey, type ShardKey, type ShardMap, type ShardRole } from '@clusterfunk/sharding'
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
  /**
   * This node started serving a committed map: the shards it gained and
   * lost as primary (`gained`, `lost`) and as replica (`replicaGained`,
   * `replicaLost`) against the map it served before (nothing, the first
   * time after start), and the map's version. Maps a restarted or cut-off
   * node only catches up through are not reported one by one; a map that
   * leaves this node out is reported once, with everything lost.
   */
  'shards:change': { version: number, gained: number[], lost: number[], replicaGained: number[], replicaLost: number[] }
  /**
   * The leader applied the commit of a map it proposed (leader only):
   * `ackedMs` from appending the proposal to appending its commit (every
   * node in the map acked), `durationMs` to applying that commit here.
   * Not carried by the management API's event stream.
   */
  'reshard:done': { version: number, nodes: number, ackedMs: number, durationMs: number }
  /**
   * Safe bootstrap (`bootstrapExpect`) is waiting: `seen` are the nodes
   * (this one included, sorted) alive with a Raft address, of the `expect`
   * it waits for. Emitted when the node starts waiting and whenever `seen`
   * changes; not once the node holds Raft state. Not carried by the
   * management API's event stream.
   */
  'bootstrap:waiting': { expect: number, seen: string[] }
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

  /** The node that owns (is the primary of) shard number `shard`. */
  ownerOf (shard: number): string | undefined {
    return this.current()?.map.nodeFor(shard)
  }

  /** Replication factor of the committed map (0: none yet). */
  get replicationFactor (): number { return this.current()?.map.replicationFactor ?? 0 }

  /** The replicas of shard number `shard` in the committed map, in their fixed order (empty with R = 1). */
  replicasOf (shard: number): string[] {
    return this.current()?.map.replicasOf(shard) ?? []
  }

  /** Every owner of shard number `shard`: the primary, then the replicas. */
  ownersOf (shard: number): string[] {
    return this.current()?.map.ownersOf(shard) ?? []
  }

  /** The shards `nodeId` holds in the committed map in `role` (default `'primary'`), ascending. */
  shardsOf (nodeId: string, options: { role?: ShardRole } = {}): number[] {
    return this.current()?.map.shardsOf(nodeId, options) ?? []
  }
}
