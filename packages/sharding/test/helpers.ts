/** Shared arbitraries and independent checkers for the shard-map tests. */
import fc from 'fast-check'
import { expect } from 'chai'
import type { ShardMap } from '../src/index.js'

export const ID_POOL = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10', 'n11']

/** One change to a node set: set a node's weight (join or weight change) or remove it. */
export type Step = { kind: 'set', id: string, weight: number } | { kind: 'leave', id: string }

export function arbWeights (maxWeight: number, minNodes = 1, maxNodes = 8): fc.Arbitrary<Map<string, number>> {
  return fc.uniqueArray(fc.tuple(fc.constantFrom(...ID_POOL), fc.integer({ min: 1, max: maxWeight })), { selector: (t) => t[0], minLength: minNodes, maxLength: maxNodes })
    .map((entries) => new Map(entries))
}

export function arbSteps (maxWeight: number, maxLength = 12): fc.Arbitrary<Step[]> {
  return fc.array(fc.oneof(
    fc.record({ kind: fc.constant('set' as const), id: fc.constantFrom(...ID_POOL), weight: fc.integer({ min: 1, max: maxWeight }) }),
    fc.record({ kind: fc.constant('leave' as const), id: fc.constantFrom(...ID_POOL) })
  ), { maxLength })
}

/** Applies a step; a leave of the last node or of an absent node is skipped. */
export function applyStep (weights: ReadonlyMap<string, number>, step: Step): Map<string, number> {
  const next = new Map(weights)
  if (step.kind === 'set') next.set(step.id, step.weight)
  else if (next.size > 1) next.delete(step.id)
  return next
}

export function weightsOf (map: ShardMap): Map<string, number> {
  return new Map(map.nodes().map((n) => [n.id, n.weight]))
}

/** ⌊S·w/W⌋ and ⌈S·w/W⌉ in exact BigInt arithmetic (independent of the implementation). */
export function shareBounds (shardCount: number, weight: number, total: number): [number, number] {
  const num = BigInt(shardCount) * BigInt(weight)
  const den = BigInt(total)
  const floor = num / den
  return [Number(floor), Number(num % den === 0n ? floor : floor + 1n)]
}

/** Asserts every node holds the floor or ceiling of its proportional share. */
export function expectBalanced (map: ShardMap): void {
  const nodes = map.nodes()
  const total = nodes.reduce((a, n) => a + n.weight, 0)
  for (const n of nodes) {
    const [lo, hi] = shareBounds(map.shardCount, n.weight, total)
    expect(n.shards, `node ${n.id} (weight ${n.weight} of ${total}, ${map.shardCount} shards)`).to.be.within(lo, hi)
  }
}

/**
 * The fewest shards any balanced map for `next` can move from `prev`, by
 * trying every choice of which nodes get the ceiling (small node sets only).
 */
export function minimalMoves (prev: ShardMap, next: ReadonlyMap<string, number>): number {
  const ids = [...next.keys()]
  const total = [...next.values()].reduce((a, b) => a + b, 0)
  const bounds = ids.map((id) => shareBounds(prev.shardCount, next.get(id) as number, total))
  const current = ids.map((id) => prev.countOf(id))
  const orphans = prev.nodes().filter((n) => !next.has(n.id)).reduce((a, n) => a + n.shards, 0)
  const slots = prev.shardCount - bounds.reduce((a, b) => a + b[0], 0)
  let best = Infinity
  const choose = (i: number, left: number, cost: number): void => {
    if (i === ids.length) {
      if (left === 0) best = Math.min(best, cost)
      return
    }
    const [lo, hi] = bounds[i] as [number, number]
    const c = current[i] as number
    choose(i + 1, left, cost + Math.max(0, c - lo))
    if (hi > lo && left > 0) choose(i + 1, left - 1, cost + Math.max(0, c - hi))
  }
  choose(0, slots, orphans)
  return best
}

/** Expects `fn` to throw an error of class `cls` whose message contains `text`. */
export function expectThrows (fn: () => unknown, cls: new (...args: never[]) => Error, text?: string): void {
  let caught: unknown
  try {
    fn()
  } catch (err) {
    caught = err
  }
  expect(caught, 'expected a throw').to.be.instanceOf(cls)
  if (text !== undefined) expect((caught as Error).message).to.contain(text)
}
