import { computeTargets } from './targets.js'
import type { NodeWeight } from './validate.js'

/** An assignment: owner index per shard and the shard count per node. */
export interface Assignment {
  readonly owners: Uint16Array
  readonly counts: Int32Array
  /** The new index of each previous node, -1 for a node that left. */
  readonly remap: Int32Array
}

/**
 * Reassigns shards for a new node set, in O(S + n log n).
 *
 * Shards of nodes that left are orphaned. Each remaining node keeps its
 * lowest-numbered shards up to its target and releases the rest (its
 * highest-numbered ones). Orphaned and released shards go first, in
 * ascending shard order, to one of their previous replicas below target (in
 * replica order), so a shard whose primary left is promoted to a node that
 * already holds its data; when all its replicas are at target, one of them
 * hands a shard it was promoted to over to another replica of that shard
 * below target (a chain of two); the rest are then handed out in ascending shard
 * order to the nodes below target, in id order. Which node takes a freed
 * shard does not change how many move. Every step depends only on the
 * previous map and the sorted node set, so every machine computes the same
 * map.
 *
 * @param prevIds the previous map's node ids, in its index order
 * @param prevOwners the previous owner index of each shard (ignored when prevIds is empty)
 * @param nodes the new node set, sorted by id, non-empty
 * @param prevReplicas the previous replica indexes, `prevK` a shard (shard s at s·prevK…)
 */
export function rebalance (
  shardCount: number, prevIds: readonly string[], prevOwners: Uint16Array, nodes: readonly NodeWeight[],
  prevReplicas: Uint16Array = new Uint16Array(0), prevK = 0
): Assignment {
  const n = nodes.length
  const newIndex = new Map<string, number>()
  for (let i = 0; i < n; i++) newIndex.set((nodes[i] as NodeWeight).id, i)
  // remap[old index] = new index, or -1 for a node that left.
  const remap = new Int32Array(prevIds.length)
  const isNew = new Uint8Array(n).fill(1)
  for (let j = 0; j < prevIds.length; j++) {
    const i = newIndex.get(prevIds[j] as string)
    remap[j] = i ?? -1
    if (i !== undefined) isNew[i] = 0
  }
  const current = new Int32Array(n)
  if (prevIds.length > 0) {
    for (let s = 0; s < shardCount; s++) {
      const i = remap[prevOwners[s] as number] as number
      if (i >= 0) current[i] = (current[i] as number) + 1
    }
  }
  const targets = computeTargets(shardCount, nodes, current, isNew)

  const owners = new Uint16Array(shardCount)
  const counts = new Int32Array(n)
  const free = new Uint32Array(shardCount)
  let freeCount = 0
  for (let s = 0; s < shardCount; s++) {
    const i = prevIds.length > 0 ? remap[prevOwners[s] as number] as number : -1
    if (i >= 0 && (counts[i] as number) < (targets[i] as number)) {
      owners[s] = i
      counts[i] = (counts[i] as number) + 1
    } else {
      free[freeCount++] = s
    }
  }
  let left = freeCount
  if (prevK > 0 && prevIds.length > 0) {
    left = 0
    const replica = (s: number, j: number): number => remap[prevReplicas[s * prevK + j] as number] as number
    /** Shards given to one of their replicas so far. */
    const promoted: number[] = []
    for (let k = 0; k < freeCount; k++) {
      const s = free[k] as number
      let taken = false
      for (let j = 0; j < prevK && !taken; j++) {
        const i = replica(s, j)
        if (i >= 0 && (counts[i] as number) < (targets[i] as number)) {
          owners[s] = i
          counts[i] = (counts[i] as number) + 1
          taken = true
        }
      }
      // Every replica of s is at target: one of them, i, hands a shard it was promoted to (t) to another replica of t below target, and takes s.
      for (let j = 0; j < prevK && !taken; j++) {
        const i = replica(s, j)
        if (i < 0) continue
        for (let x = 0; x < promoted.length && !taken; x++) {
          const t = promoted[x] as number
          if (owners[t] !== i) continue
          for (let g = 0; g < prevK; g++) {
            const other = replica(t, g)
            if (other >= 0 && other !== i && (counts[other] as number) < (targets[other] as number)) {
              owners[t] = other
              counts[other] = (counts[other] as number) + 1
              owners[s] = i
              taken = true
              break
            }
          }
        }
      }
      if (taken) promoted.push(s)
      else free[left++] = s
    }
  }
  let node = 0
  for (let k = 0; k < left; k++) {
    while ((counts[node] as number) >= (targets[node] as number)) node++
    owners[free[k] as number] = node
    counts[node] = (counts[node] as number) + 1
  }
  return { owners, counts, remap }
}
