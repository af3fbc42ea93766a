import type { NodeWeight } from './validate.js'

/**
 * A node's exact share S·w/W as integers: `floor` = ⌊S·w/W⌋ and the
 * remainder `rem` = S·w − floor·W (so the share is floor + rem/W). Integer
 * arithmetic only: every value stays below 2^53 (see MAX_WEIGHT), and the
 * quotient is corrected after the float division so rounding cannot change it.
 */
export function shareOf (shardCount: number, weight: number, totalWeight: number): { floor: number, rem: number } {
  const num = shardCount * weight
  let floor = Math.floor(num / totalWeight)
  if (floor * totalWeight > num) floor--
  else if ((floor + 1) * totalWeight <= num) floor++
  return { floor, rem: num - floor * totalWeight }
}

/**
 * The shard count each node should hold: ⌊S·w/W⌋ or ⌈S·w/W⌉ (balance), chosen
 * to move as few shards as possible.
 *
 * Every node gets its floor; the R = S − Σfloor remaining slots go one each to
 * nodes whose share is not a whole number (there are always more than R of
 * them). Which nodes get them decides how much moves: a slot given to a node
 * that already holds more than its floor saves one shard from moving, any
 * other slot saves nothing. So slots go, in order, to
 *   1. nodes holding more than their floor (they keep what they have),
 *   2. nodes that just joined,
 *   3. the rest,
 * ties broken by larger remainder, then by node id. The first rule makes the
 * movement the least any balanced map allows; the others only make the choice
 * deterministic and close to the largest-remainder method.
 *
 * @param nodes the new node set, sorted by id
 * @param current shards each node holds now (after dropping departed nodes)
 * @param isNew whether each node is absent from the previous map
 */
export function computeTargets (shardCount: number, nodes: readonly NodeWeight[], current: Int32Array, isNew: Uint8Array): Int32Array {
  const n = nodes.length
  const targets = new Int32Array(n)
  let totalWeight = 0
  for (const node of nodes) totalWeight += node.weight
  const rems = new Float64Array(n)
  let assigned = 0
  for (let i = 0; i < n; i++) {
    const { floor, rem } = shareOf(shardCount, (nodes[i] as NodeWeight).weight, totalWeight)
    targets[i] = floor
    rems[i] = rem
    assigned += floor
  }
  let slots = shardCount - assigned
  if (slots === 0) return targets
  const rank = (i: number): number => (current[i] as number) > (targets[i] as number) ? 0 : (isNew[i] === 1 ? 1 : 2)
  const candidates: number[] = []
  for (let i = 0; i < n; i++) if ((rems[i] as number) > 0) candidates.push(i)
  // Node indexes follow id order, so comparing indexes breaks ties by id.
  candidates.sort((a, b) => (rank(a) - rank(b)) || ((rems[b] as number) - (rems[a] as number)) || (a - b))
  for (const i of candidates) {
    if (slots === 0) break
    targets[i] = (targets[i] as number) + 1
    slots--
  }
  return targets
}
