import { InvalidArgumentError } from '@clusterfunk/core'
import type { ShardMap } from './shard-map.js'
import { compareIds } from './validate.js'

/** What one node gains and loses between two maps; both lists ascending. */
export interface NodeChange {
  readonly gained: number[]
  readonly lost: number[]
}

/** The difference between two maps of the same shard count. */
export interface ShardMapDiff {
  /** Every node of either map (sorted by id) with what it gained and lost. */
  readonly nodes: ReadonlyMap<string, NodeChange>
  /** Shards whose owner differs (including shards that had or have no owner). */
  readonly moved: number
}

/**
 * Which shards each node gains and loses going from `prev` to `next`.
 * Nodes are matched by id, so the result does not depend on owner indexes.
 * @throws InvalidArgumentError when the maps have different shard counts
 */
export function diff (prev: ShardMap, next: ShardMap): ShardMapDiff {
  if (prev.shardCount !== next.shardCount) {
    throw new InvalidArgumentError(`cannot diff maps of ${prev.shardCount} and ${next.shardCount} shards`)
  }
  const prevIds = prev.nodes().map((n) => n.id)
  const nextIds = next.nodes().map((n) => n.id)
  const all = [...new Set([...prevIds, ...nextIds])].sort(compareIds)
  const changes = new Map<string, { gained: number[], lost: number[] }>(all.map((id) => [id, { gained: [], lost: [] }]))
  const prevOwners = prev.owners()
  const nextOwners = next.owners()
  let moved = 0
  for (let s = 0; s < prev.shardCount; s++) {
    const from = prevIds.length === 0 ? undefined : prevIds[prevOwners[s] as number]
    const to = nextIds.length === 0 ? undefined : nextIds[nextOwners[s] as number]
    if (from === to) continue
    moved++
    if (from !== undefined) changes.get(from)?.lost.push(s)
    if (to !== undefined) changes.get(to)?.gained.push(s)
  }
  return { nodes: changes, moved }
}
