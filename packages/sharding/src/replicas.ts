import { computeTargets } from './targets.js'
import type { NodeWeight } from './validate.js'

/** The replicas of every shard: `k` node indexes a shard (shard s at s·k … s·k+k−1), and the replica count per node. */
export interface ReplicaAssignment {
  readonly replicas: Uint16Array
  readonly counts: Int32Array
}

/** The previous map as the replica assignment reads it, indexes already mapped to the new node set. */
export interface PreviousHolders {
  /** The new index of each previous node, -1 for a node that left. */
  readonly remap: Int32Array
  /** Previous primary index of each shard (empty when the previous map had no nodes). */
  readonly owners: Uint16Array
  /** Previous replica indexes, `k` a shard. */
  readonly replicas: Uint16Array
  readonly k: number
}

/**
 * Each node's replica target: its weighted share of the S·k replica slots,
 * ⌊share⌋ or ⌈share⌉ as for primaries, but never more than the shards it is
 * not primary of (a node holds a shard at most once). Nodes whose share
 * exceeds that cap get the cap, and the rest of the slots are shared among
 * the others by weight again (water-filling), so the targets always sum to
 * S·k.
 */
export function replicaTargets (
  shardCount: number, k: number, nodes: readonly NodeWeight[], primaryCounts: Int32Array, current: Int32Array, isNew: Uint8Array
): Int32Array {
  const n = nodes.length
  const targets = new Int32Array(n)
  let active: number[] = Array.from({ length: n }, (_, i) => i)
  let slots = shardCount * k
  for (;;) {
    const sub = computeTargets(
      slots, active.map((i) => nodes[i] as NodeWeight), Int32Array.from(active, (i) => current[i] as number), Uint8Array.from(active, (i) => isNew[i] as number)
    )
    const capped: number[] = []
    for (let j = 0; j < active.length; j++) {
      const i = active[j] as number
      const cap = shardCount - (primaryCounts[i] as number)
      if ((sub[j] as number) > cap) capped.push(i)
      targets[i] = Math.min(sub[j] as number, cap)
    }
    if (capped.length === 0 || capped.length === active.length) return targets
    for (const i of capped) slots -= targets[i] as number
    const isCapped = new Set(capped)
    active = active.filter((i) => !isCapped.has(i))
  }
}

/**
 * Assigns `k` replicas to every shard, each a node other than the shard's
 * primary and other than its other replicas, with as little movement as
 * the targets allow:
 *
 * 1. keep: in ascending shard order, each shard keeps its previous replicas
 *    (then its previous primary, if that moved away) while the node is in
 *    the new set, is not the new primary, and is below its target, so a
 *    node over target keeps its lowest-numbered replicas;
 * 2. fill: empty slots, in ascending shard order, go to the node the
 *    furthest below target that does not hold the shard (ties round-robin
 *    in id order, which spreads a node's replicas over the others); if there is
 *    none, to an eligible node that held the shard before (nothing to copy;
 *    the repair pass then moves one of its replicas elsewhere to a node
 *    below target), else by a swap with a slot filled earlier in this pass,
 *    else to the eligible node the least over target;
 * 3. repair: a node still below target takes, from a node over target, a
 *    replica of a shard it does not hold: first one placed by the fill pass
 *    (a copy either way), then the lowest shard; failing that, along a
 *    chain of two (u takes a slot from m, m takes one from a node over
 *    target).
 *
 * Deterministic: every step depends only on the previous map, the new
 * primaries and the sorted node set.
 */
export function assignReplicas (
  shardCount: number, k: number, nodes: readonly NodeWeight[], owners: Uint16Array, primaryCounts: Int32Array, prev: PreviousHolders
): ReplicaAssignment {
  const n = nodes.length
  const replicas = new Uint16Array(shardCount * k)
  const counts = new Int32Array(n)
  if (k === 0) return { replicas, counts }
  const hadNodes = prev.owners.length > 0
  const { remap, k: pk } = prev
  const prevOwners = prev.owners
  const prevReplicas = prev.replicas
  const isNew = new Uint8Array(n).fill(1)
  for (let j = 0; j < remap.length; j++) {
    const i = remap[j] as number
    if (i >= 0) isNew[i] = 0
  }
  const current = new Int32Array(n)
  if (hadNodes) {
    for (let s = 0; s < shardCount; s++) {
      const p = owners[s] as number
      for (let x = s * pk, end = x + pk; x < end; x++) {
        const i = remap[prevReplicas[x] as number] as number
        if (i >= 0 && i !== p) current[i] = (current[i] as number) + 1
      }
    }
  }
  const targets = replicaTargets(shardCount, k, nodes, primaryCounts, current, isNew)
  const filled = new Uint8Array(shardCount)
  const holds = (s: number, i: number, upto: number): boolean => {
    if (owners[s] === i) return true
    for (let f = s * k, end = s * k + upto; f < end; f++) if (replicas[f] === i) return true
    return false
  }

  // 1. keep
  if (hadNodes) {
    for (let s = 0; s < shardCount; s++) {
      const base = s * k
      const p = owners[s] as number
      let f = 0
      for (let j = 0; j <= pk && f < k; j++) {
        const i = remap[j < pk ? prevReplicas[s * pk + j] as number : prevOwners[s] as number] as number
        if (i < 0 || i === p || (counts[i] as number) >= (targets[i] as number)) continue
        let dup = false
        for (let g = base; g < base + f; g++) if (replicas[g] === i) dup = true
        if (dup) continue
        replicas[base + f++] = i
        counts[i] = (counts[i] as number) + 1
      }
      filled[s] = f
    }
  }

  // 2. fill, from the nodes below target (kept in id order, dropped once full)
  let below: number[] = []
  for (let i = 0; i < n; i++) if ((counts[i] as number) < (targets[i] as number)) below.push(i)
  /** Slots filled by this pass (copies to make anyway), which a later slot may take over. */
  const fresh: number[] = []
  let cursor = 0
  for (let s = 0; s < shardCount; s++) {
    for (let f = filled[s] as number; f < k; f++) {
      let pick = -1
      let most = 0
      const m = below.length
      for (let step = 0; step < m; step++) {
        const i = below[(cursor + step) % m] as number
        const deficit = (targets[i] as number) - (counts[i] as number)
        if (deficit > most && !holds(s, i, f)) {
          pick = i
          most = deficit
          cursor = (cursor + step) % m
        }
      }
      if (pick < 0) pick = leastOver(s, f, true)
      if (pick < 0) pick = swapFresh(s, f)
      if (pick < 0) pick = leastOver(s, f, false)
      replicas[s * k + f] = pick
      fresh.push(s * k + f)
      counts[pick] = (counts[pick] as number) + 1
      if ((counts[pick] as number) >= (targets[pick] as number) && below.includes(pick)) {
        below = below.filter((i) => i !== pick)
        if (below.length > 0) cursor %= below.length
      } else if (below.length > 0) {
        cursor = (cursor + 1) % below.length
      }
    }
  }

  // 3. repair: first slots this pass filled (they are copies anyway), then any
  for (let u = 0; u < n; u++) {
    for (let x = 0; x < fresh.length && (counts[u] as number) < (targets[u] as number); x++) {
      const slot = fresh[x] as number
      if ((counts[replicas[slot] as number] as number) > (targets[replicas[slot] as number] as number) && !holds(Math.floor(slot / k), u, k)) take(slot, u)
    }
    for (let s = 0; s < shardCount && (counts[u] as number) < (targets[u] as number); s++) {
      if (holds(s, u, k)) continue
      for (let f = s * k; f < s * k + k; f++) {
        if ((counts[replicas[f] as number] as number) > (targets[replicas[f] as number] as number)) {
          take(f, u)
          break
        }
      }
    }
    while ((counts[u] as number) < (targets[u] as number) && chain(u)) { /* one replica moved along a chain of two */ }
  }
  return { replicas, counts }

  /**
   * Node u, below target, when every node over target holds its replicas
   * only on shards u holds: u takes slot a (shard t) from node m, and m
   * takes slot b (shard s) from a node over target. Returns whether it
   * found such a chain (lowest t, then lowest s).
   */
  function chain (u: number): boolean {
    const overSlots: number[] = []
    for (let b = 0; b < replicas.length; b++) if ((counts[replicas[b] as number] as number) > (targets[replicas[b] as number] as number)) overSlots.push(b)
    if (overSlots.length === 0) return false
    for (let a = 0; a < replicas.length; a++) {
      const t = Math.floor(a / k)
      if (holds(t, u, k)) continue
      const m = replicas[a] as number
      for (const b of overSlots) {
        const s = Math.floor(b / k)
        if (s === t || holds(s, m, k)) continue
        take(a, u)
        take(b, m)
        return true
      }
    }
    return false
  }

  /** Node u takes replica slot `slot` from its node. */
  function take (slot: number, u: number): void {
    const o = replicas[slot] as number
    replicas[slot] = u
    counts[o] = (counts[o] as number) - 1
    counts[u] = (counts[u] as number) + 1
  }

  /**
   * When every node below target holds shard s: a slot filled earlier in
   * this pass whose node o does not hold s, on a shard t that a node u below
   * target does not hold, so o takes slot f of s and u takes o's slot on t.
   * Both are copies the pass makes anyway, so this moves nothing more.
   * Returns o, or -1 when there is no such pair.
   */
  function swapFresh (s: number, f: number): number {
    for (const u of below) {
      for (let x = fresh.length - 1; x >= 0; x--) {
        const slot = fresh[x] as number
        const t = Math.floor(slot / k)
        const o = replicas[slot] as number
        if (holds(s, o, f) || holds(t, u, k)) continue
        replicas[slot] = u
        counts[u] = (counts[u] as number) + 1
        counts[o] = (counts[o] as number) - 1
        if ((counts[u] as number) >= (targets[u] as number)) below = below.filter((i) => i !== u)
        if (below.length > 0) cursor %= below.length
        return o
      }
    }
    return -1
  }

  /**
   * The eligible node for slot f of shard s (with `onlyHeld`, among those
   * that held s before) the least over target, then the lowest index; -1
   * when there is none.
   */
  function leastOver (s: number, f: number, onlyHeld: boolean): number {
    let best = -1
    let bestOver = Infinity
    for (let i = 0; i < n; i++) {
      if (holds(s, i, f) || (onlyHeld && !heldBefore(s, i))) continue
      const over = (counts[i] as number) - (targets[i] as number)
      if (over < bestOver) {
        best = i
        bestOver = over
      }
    }
    return best
  }

  function heldBefore (s: number, i: number): boolean {
    if (!hadNodes) return false
    if (remap[prevOwners[s] as number] === i) return true
    for (let j = 0; j < pk; j++) if (remap[prevReplicas[s * pk + j] as number] === i) return true
    return false
  }
}
