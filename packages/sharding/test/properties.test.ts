import { expect } from 'chai'
import fc from 'fast-check'
import { ShardMap, diff, encodeShardMap } from '../src/index.js'
import { applyStep, arbSteps, arbWeights, expectBalanced, minimalMoves, shareBounds, type Step } from './helpers.js'

const RUNS = { numRuns: 200 }
const arbShards = fc.integer({ min: 1, max: 240 })

/** Every map of a replayed sequence of steps, starting from `initial`. */
function replay (shardCount: number, initial: Map<string, number>, steps: readonly Step[]): ShardMap[] {
  let weights = initial
  const maps = [ShardMap.init(shardCount, weights)]
  for (const step of steps) {
    weights = applyStep(weights, step)
    maps.push((maps[maps.length - 1] as ShardMap).update(weights))
  }
  return maps
}

describe('shard map properties', () => {
  it('gives every shard exactly one owner among the current nodes', () => {
    fc.assert(fc.property(arbShards, arbWeights(5), arbSteps(5), (s, w, steps) => {
      for (const map of replay(s, w, steps)) {
        const ids = new Set(map.nodes().map((n) => n.id))
        let total = 0
        for (const n of map.nodes()) total += n.shards
        expect(total).to.equal(s)
        for (let shard = 0; shard < s; shard++) expect(ids.has(map.nodeFor(shard) as string)).to.equal(true)
      }
    }), RUNS)
  })

  it('keeps equal-weight shard counts within one of each other', () => {
    fc.assert(fc.property(arbShards, arbWeights(1), arbSteps(1), (s, w, steps) => {
      for (const map of replay(s, w, steps)) {
        const counts = map.nodes().map((n) => n.shards)
        expect(Math.max(...counts) - Math.min(...counts)).to.be.at.most(1)
      }
    }), RUNS)
  })

  it('keeps every weighted node at the floor or ceiling of its share', () => {
    fc.assert(fc.property(arbShards, arbWeights(9), arbSteps(9), (s, w, steps) => {
      for (const map of replay(s, w, steps)) expectBalanced(map)
    }), RUNS)
  })

  it('moves the fewest shards any balanced map allows, on every kind of change', () => {
    fc.assert(fc.property(arbShards, arbWeights(6, 1, 6), arbSteps(6, 8), (s, w, steps) => {
      let weights = w
      let map = ShardMap.init(s, weights)
      for (const step of steps) {
        weights = applyStep(weights, step)
        const next = map.update(weights)
        expect(diff(map, next).moved).to.equal(minimalMoves(map, weights))
        map = next
      }
    }), RUNS)
  })

  it('on an equal-weight join moves only shards to the new node, at most its ceiling share', () => {
    fc.assert(fc.property(arbShards, arbWeights(1, 1, 11), arbSteps(1), (s, w, steps) => {
      const map = replay(s, w, steps).pop() as ShardMap
      const joiner = 'joiner'
      const next = map.update([...map.nodes().map((n) => n.id), joiner])
      const d = diff(map, next)
      expect(d.moved).to.equal(next.countOf(joiner))
      expect(d.moved).to.be.at.most(Math.ceil(s / next.nodes().length))
    }), RUNS)
  })

  it('on an equal-weight leave moves only the leaving node\'s shards', () => {
    fc.assert(fc.property(arbShards, arbWeights(1, 2, 10), arbSteps(1), fc.nat(), (s, w, steps, pick) => {
      const map = replay(s, w, steps).pop() as ShardMap
      const ids = map.nodes().map((n) => n.id)
      fc.pre(ids.length >= 2)
      const leaver = ids[pick % ids.length] as string
      const next = map.update(ids.filter((id) => id !== leaver))
      const d = diff(map, next)
      expect(d.moved).to.equal(map.countOf(leaver))
      expect(d.nodes.get(leaver)?.lost).to.deep.equal(map.shardsOf(leaver))
    }), RUNS)
  })

  it('on a weighted join gives the new node at most its ceiling and other nodes at most one shard each', () => {
    fc.assert(fc.property(arbShards, arbWeights(6), arbSteps(6), fc.integer({ min: 1, max: 6 }), (s, w, steps, weight) => {
      const map = replay(s, w, steps).pop() as ShardMap
      const weights = new Map(map.nodes().map((n) => [n.id, n.weight]))
      weights.set('joiner', weight)
      const next = map.update(weights)
      const total = [...weights.values()].reduce((a, b) => a + b, 0)
      const ceil = shareBounds(s, weight, total)[1]
      const d = diff(map, next)
      expect(next.countOf('joiner')).to.be.at.most(ceil)
      for (const [id, change] of d.nodes) if (id !== 'joiner') expect(change.gained.length).to.be.at.most(1)
      expect(d.moved).to.be.at.most(ceil + map.nodes().length - 1)
    }), RUNS)
  })

  it('on a weighted leave takes at most one shard from each remaining node', () => {
    fc.assert(fc.property(arbShards, arbWeights(6, 2), arbSteps(6), fc.nat(), (s, w, steps, pick) => {
      const map = replay(s, w, steps).pop() as ShardMap
      const nodes = map.nodes()
      fc.pre(nodes.length >= 2)
      const leaver = (nodes[pick % nodes.length] as { id: string }).id
      const next = map.update(new Map(nodes.filter((n) => n.id !== leaver).map((n) => [n.id, n.weight])))
      const d = diff(map, next)
      for (const [id, change] of d.nodes) if (id !== leaver) expect(change.lost.length).to.be.at.most(1)
      expect(d.moved).to.be.at.most(map.countOf(leaver) + nodes.length - 2)
    }), RUNS)
  })

  it('computes the same map whatever the order of the node set', () => {
    fc.assert(fc.property(arbShards, arbWeights(5), arbSteps(5), arbWeights(5), (s, w, steps, target) => {
      const map = replay(s, w, steps).pop() as ShardMap
      const forward = map.update(target)
      const reversed = map.update(new Map([...target].reverse()))
      const record = map.update(Object.fromEntries(target))
      expect(reversed.equals(forward)).to.equal(true)
      expect(record.equals(forward)).to.equal(true)
    }), RUNS)
  })

  it('gives byte-identical encodings for two independent replays of a sequence', () => {
    fc.assert(fc.property(arbShards, arbWeights(5), arbSteps(5), (s, w, steps) => {
      const a = replay(s, w, steps).map(encodeShardMap)
      const b = replay(s, new Map(w), steps.map((x) => ({ ...x }))).map(encodeShardMap)
      expect(b).to.deep.equal(a)
    }), RUNS)
  })
})
