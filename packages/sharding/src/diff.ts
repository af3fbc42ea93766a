import { InvalidArgumentError } from '@clusterfunk/core'
import type { ShardMap } from './shard-map.js'
import { compareIds } from './validate.js'

/** What one node gains and loses between two maps in one role; both lists ascending. */
export interface NodeChange {
  readonly gained: number[]
  readonly lost: number[]
}

/** The difference between two maps of the same shard count. */
export interface ShardMapDiff {
  /** Every node of either map (sorted by id) with the shards it gained and lost as primary. */
  readonly nodes: ReadonlyMap<string, NodeChange>
  /** Every node of either map (sorted by id) with the shards it gained and lost as replica. */
  readonly replicas: ReadonlyMap<string, NodeChange>
  /** Shards whose primary differs (including shards that had or have no owner). */
  readonly moved: number
  /** Replica places that changed: (shard, node) pairs that are a replica in `next` and were not in `prev`. */
  readonly replicasMoved: number
  /**
   * Copies to make: (shard, node) pairs where the node holds the shard in
   * `next` in any role and held no copy of it in `prev`. A replica promoted
   * to primary, or a primary kept as a replica, copies nothing. With
   * replication factor 1 this equals `moved` less the shards that lost
   * their last owner.
   */
  readonly transfers: number
}

/**
 * Which shards each node gains and loses, per role, going from `prev` to
 * `next`. Nodes are matched by id, so the result does not depend on owner
 * indexes.
 * @throws InvalidArgumentError when the maps have different shard counts
 */
export function diff (prev: ShardMap, next: ShardMap): ShardMapDiff {
  if (prev.shardCount !== next.shardCount) {
    throw new InvalidArgumentError(`cannot diff maps of ${prev.shardCount} and ${next.shardCount} shards`)
  }
  const prevIds = prev.nodes().map((n) => n.id)
  const nextIds = next.nodes().map((n) => n.id)
  const all = [...new Set([...prevIds, ...nextIds])].sort(compareIds)
  const primaries = new Map<string, { gained: number[], lost: number[] }>(all.map((id) => [id, { gained: [], lost: [] }]))
  const replicas = new Map<string, { gained: number[], lost: number[] }>(all.map((id) => [id, { gained: [], lost: [] }]))
  const prevOwners = prev.owners()
  const nextOwners = next.owners()
  const pk = prev.replicasPerShard
  const nk = next.replicasPerShard
  const prevReplicas = prev.replicaIndexes()
  const nextReplicas = next.replicaIndexes()
  let moved = 0
  let replicasMoved = 0
  let transfers = 0
  for (let s = 0; s < prev.shardCount; s++) {
    const from = prevIds.length === 0 ? undefined : prevIds[prevOwners[s] as number]
    const to = nextIds.length === 0 ? undefined : nextIds[nextOwners[s] as number]
    const before: string[] = []
    const after: string[] = []
    for (let f = s * pk; f < s * pk + pk; f++) before.push(prevIds[prevReplicas[f] as number] as string)
    for (let f = s * nk; f < s * nk + nk; f++) after.push(nextIds[nextReplicas[f] as number] as string)
    if (from !== to) {
      moved++
      if (from !== undefined) primaries.get(from)?.lost.push(s)
      if (to !== undefined) primaries.get(to)?.gained.push(s)
    }
    for (const id of before) if (!after.includes(id)) replicas.get(id)?.lost.push(s)
    for (const id of after) {
      if (before.includes(id)) continue
      replicasMoved++
      replicas.get(id)?.gained.push(s)
    }
    const held = (id: string): boolean => id === from || before.includes(id)
    if (to !== undefined && !held(to)) transfers++
    for (const id of after) if (!held(id)) transfers++
  }
  return { nodes: primaries, replicas, moved, replicasMoved, transfers }
}
