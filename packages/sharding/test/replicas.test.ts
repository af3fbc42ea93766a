import { DecodeError, InvalidArgumentError } from '@clusterfunk/core'
import { loadType } from '@clusterfunk/proto'
import { expect } from 'chai'
import fc from 'fast-check'
import { FORMAT_VERSION, FORMAT_VERSION_REPLICATED, ShardMap, decodeShardMap, diff, encodeShardMap } from '../src/index.js'
import { applyStep, arbSteps, arbWeights, expectBalanced, expectThrows, shareBounds, type Step } from './helpers.js'

const RUNS = { numRuns: 150 }
const arbShards = fc.integer({ min: 1, max: 240 })
const arbR = fc.integer({ min: 1, max: 4 })
const wire = loadType('sharding.proto', 'clusterfunk.sharding.ShardMap')

/** Every map of a replayed sequence of steps with replication factor r. */
function replay (shardCount: number, r: number, initial: Map<string, number>, steps: readonly Step[]): ShardMap[] {
  let weights = initial
  const maps = [ShardMap.init(shardCount, weights, { replicationFactor: r })]
  for (const step of steps) {
    weights = applyStep(weights, step)
    maps.push((maps[maps.length - 1] as ShardMap).update(weights))
  }
  return maps
}

/** Copies the new map needs that no balanced-by-count map could avoid: what each node holds beyond what it held. */
function lowerBound (prev: ShardMap, next: ShardMap): number {
  let lb = 0
  for (const n of next.nodes()) lb += Math.max(0, n.shards + n.replicas - prev.countOf(n.id, { role: 'any' }))
  return lb
}

describe('replicated shard map properties', () => {
  it('gives every shard min(R, nodes) distinct owners among the nodes, primary first', () => {
    fc.assert(fc.property(arbShards, arbR, arbWeights(5), arbSteps(5), (s, r, w, steps) => {
      for (const map of replay(s, r, w, steps)) {
        const ids = new Set(map.nodes().map((n) => n.id))
        const want = Math.min(r, ids.size)
        let replicas = 0
        const wrong: number[] = []
        for (let shard = 0; shard < s; shard++) {
          const owners = map.ownersOf(shard)
          const replicaList = map.replicasOf(shard)
          const ok = owners.length === want && new Set(owners).size === want && owners.every((o) => ids.has(o)) &&
            owners[0] === map.nodeFor(shard) && replicaList.every((o, i) => o === owners[i + 1])
          if (!ok) wrong.push(shard)
          replicas += want - 1
        }
        expect(wrong, 'shards without min(R, nodes) distinct owners').to.deep.equal([])
        expect(map.nodes().reduce((a, n) => a + n.replicas, 0)).to.equal(replicas)
      }
    }), RUNS)
  })

  it('balances each role with equal weights: primaries and replicas within one of each other', () => {
    fc.assert(fc.property(arbShards, arbR, arbWeights(1), arbSteps(1), (s, r, w, steps) => {
      for (const map of replay(s, r, w, steps)) {
        const primaries = map.nodes().map((n) => n.shards)
        const replicas = map.nodes().map((n) => n.replicas)
        expect(Math.max(...primaries) - Math.min(...primaries)).to.be.at.most(1)
        expect(Math.max(...replicas) - Math.min(...replicas)).to.be.at.most(1)
      }
    }), RUNS)
  })

  it('balances each role with weights: primaries at ⌊S·w/W⌋ or ⌈S·w/W⌉, replicas at the floor or ceiling of their share of S·k', () => {
    fc.assert(fc.property(arbShards, arbR, arbWeights(9), arbSteps(9), (s, r, w, steps) => {
      for (const map of replay(s, r, w, steps)) {
        expectBalanced(map)
        const nodes = map.nodes()
        const total = nodes.reduce((a, n) => a + n.weight, 0)
        const k = map.replicasPerShard
        // A node cannot replicate a shard it is primary of; where that cap binds the share is redistributed, so check only maps where it does not.
        const capped = nodes.some((n) => shareBounds(s * k, n.weight, total)[1] + n.shards > s)
        if (capped) continue
        for (const n of nodes) expect(n.replicas, `${n.id}`).to.be.within(...shareBounds(s * k, n.weight, total))
      }
    }), RUNS)
  })

  it('moves little on a join with equal weights: at most R·⌈S/n⌉ copies', () => {
    fc.assert(fc.property(arbShards, arbR, fc.integer({ min: 1, max: 9 }), (s, r, n) => {
      const ids = Array.from({ length: n }, (_, i) => `n${i}`)
      const map = ShardMap.init(s, ids, { replicationFactor: r })
      const next = map.update([...ids, 'joiner'])
      expect(diff(map, next).transfers).to.be.at.most(Math.min(r, n + 1) * Math.ceil(s / (n + 1)))
    }), RUNS)
  })

  it('moves little on a leave with equal weights: the leaver\'s copies, plus at most R a remaining node (per-role rounding)', () => {
    fc.assert(fc.property(arbShards, arbR, arbWeights(1, 2, 8), arbSteps(1, 6), fc.nat(), (s, r, w, steps, pick) => {
      const maps = replay(s, r, w, steps)
      const map = maps[maps.length - 1] as ShardMap
      const ids = map.nodes().map((n) => n.id)
      if (ids.length < 2) return
      const gone = ids[pick % ids.length] as string
      const next = map.update(ids.filter((id) => id !== gone))
      expect(diff(map, next).transfers).to.be.at.most(map.countOf(gone, { role: 'any' }) + Math.min(r, ids.length) * (ids.length - 1))
    }), RUNS)
  })

  it('moves little on any weighted change (join, leave, weight): at most twice the unavoidable copies, plus R a node, plus the (minimal) primaries moved', () => {
    fc.assert(fc.property(arbShards, arbR, arbWeights(6, 1, 6), arbSteps(6, 8), (s, r, w, steps) => {
      const maps = replay(s, r, w, steps)
      for (let i = 1; i < maps.length; i++) {
        const prev = maps[i - 1] as ShardMap
        const next = maps[i] as ShardMap
        const d = diff(prev, next)
        expect(d.transfers).to.be.at.most(2 * lowerBound(prev, next) + (next.replicasPerShard + 1) * next.nodes().length + d.moved)
      }
    }), RUNS)
  })

  it('keeps primaries as minimal as with R = 1: the same primary owners as the unreplicated map whenever no primary left', () => {
    fc.assert(fc.property(arbShards, fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 8 }), (s, r, n) => {
      const ids = Array.from({ length: n }, (_, i) => `n${i}`)
      const plain = ShardMap.init(s, ids)
      const replicated = ShardMap.init(s, ids, { replicationFactor: r })
      expect([...replicated.owners()]).to.deep.equal([...plain.owners()])
      const joined = [...ids, 'joiner']
      expect([...replicated.update(joined).owners()]).to.deep.equal([...plain.update(joined).owners()])
    }), RUNS)
  })

  it('is deterministic: the same map and node set give the same map and bytes, whatever the input order or path', () => {
    fc.assert(fc.property(arbShards, arbR, arbWeights(5), arbSteps(5), fc.integer(), (s, r, w, steps, seed) => {
      const maps = replay(s, r, w, steps)
      const last = maps[maps.length - 1] as ShardMap
      const weights = [...last.nodes().map((n) => [n.id, n.weight] as [string, number]), ['extra', 2] as [string, number]]
      const shuffled = fc.sample(fc.shuffledSubarray(weights, { minLength: weights.length }), { seed, numRuns: 1 })[0] as Array<[string, number]>
      const a = last.update(new Map(weights))
      const b = decodeShardMap(encodeShardMap(last)).update(Object.fromEntries(shuffled))
      expect(a.equals(b)).to.equal(true)
      expect(Buffer.from(encodeShardMap(a)).equals(Buffer.from(encodeShardMap(b)))).to.equal(true)
    }), RUNS)
  })

  it('promotes a former replica when a primary leaves, for every shard where balance allows (10 000 shards, 50 nodes, R = 3)', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `node-${i}`)
    const map = ShardMap.init(10_000, ids, { replicationFactor: 3 })
    const next = map.update(ids.slice(1))
    const orphans = map.shardsOf('node-0')
    const promoted = orphans.filter((s) => map.replicasOf(s).includes(next.nodeFor(s) as string))
    expect(promoted.length).to.be.at.least(orphans.length * 0.95)
    expect(diff(map, next).transfers).to.equal(map.countOf('node-0', { role: 'any' }))
  })
})

describe('replicated shard map API', () => {
  const map = ShardMap.init(12, ['a', 'b', 'c', 'd'], { replicationFactor: 3 })

  it('answers shardsOf, countOf and roleOf per role', () => {
    for (const id of ['a', 'b', 'c', 'd']) {
      const primary = map.shardsOf(id, { role: 'primary' })
      const replica = map.shardsOf(id, { role: 'replica' })
      const any = map.shardsOf(id, { role: 'any' })
      expect(primary).to.deep.equal(map.shardsOf(id))
      expect(any).to.deep.equal([...primary, ...replica].sort((x, y) => x - y))
      expect(map.countOf(id, { role: 'replica' })).to.equal(replica.length)
      expect(map.countOf(id, { role: 'any' })).to.equal(any.length)
      for (const s of primary) expect(map.roleOf(s, id)).to.equal('primary')
      for (const s of replica) expect(map.roleOf(s, id)).to.equal('replica')
    }
    expect(map.shardsOf('zz', { role: 'any' })).to.deep.equal([])
    expect(map.roleOf(0, 'zz')).to.equal(undefined)
    expectThrows(() => map.replicasOf(12), InvalidArgumentError, 'shard must be')
  })

  it('keeps fewer replicas while there are fewer nodes than R, and grows them as nodes join', () => {
    const one = ShardMap.init(10, ['a'], { replicationFactor: 3 })
    expect(one.replicasOf(0)).to.deep.equal([])
    const two = one.update(['a', 'b'])
    expect(two.ownersOf(0)).to.have.length(2)
    expect(two.update(['a', 'b', 'c']).ownersOf(0)).to.have.length(3)
    expect(ShardMap.init(10, undefined, { replicationFactor: 3 }).update(['a', 'b', 'c', 'd']).replicationFactor).to.equal(3)
  })

  it('rejects a replication factor outside 1..8', () => {
    for (const r of [0, 9, 1.5, Number.NaN]) expectThrows(() => ShardMap.init(10, ['a'], { replicationFactor: r }), InvalidArgumentError, 'replicationFactor')
    expectThrows(() => map.update(['a'], { replicationFactor: 0 }), InvalidArgumentError, 'replicationFactor')
  })

  it('changes R on update, keeping the primaries', () => {
    const two = map.update(['a', 'b', 'c', 'd'], { replicationFactor: 2 })
    expect([...two.owners()]).to.deep.equal([...map.owners()])
    for (let s = 0; s < 12; s++) expect(two.ownersOf(s)).to.have.length(2)
    const replicas = two.nodes().map((n) => n.replicas)
    expect(Math.max(...replicas) - Math.min(...replicas)).to.be.at.most(1)
  })

  it('diffs per role and counts the copies to make', () => {
    const next = map.update(['a', 'b', 'c'])
    const d = diff(map, next)
    const dGone = d.replicas.get('d')
    expect(dGone?.lost).to.deep.equal(map.shardsOf('d', { role: 'replica' }))
    expect(d.nodes.get('d')?.lost).to.deep.equal(map.shardsOf('d'))
    // Three nodes, R = 3: every node holds every shard, so only d's primaries need a new replica each.
    expect(d.transfers).to.equal(map.countOf('d', { role: 'any' }))
  })
})

describe('replicated shard map encoding', () => {
  it('writes R = 1 as version 1 with no replica fields, as before replicas existed', () => {
    const bytes = encodeShardMap(ShardMap.init(40, { a: 1, b: 2 }))
    const m = wire.decode(bytes) as unknown as { version: number, replicationFactor: number, replicas: Uint8Array }
    expect(m.version).to.equal(FORMAT_VERSION)
    expect(m.replicationFactor).to.equal(0)
    expect(m.replicas.length).to.equal(0)
  })

  it('round-trips maps with replicas reached by any sequence of changes', () => {
    fc.assert(fc.property(arbShards, fc.integer({ min: 2, max: 8 }), arbWeights(5), arbSteps(5), (s, r, w, steps) => {
      for (const map of replay(s, r, w, steps)) {
        const bytes = encodeShardMap(map)
        expect((wire.decode(bytes) as unknown as { version: number }).version).to.equal(FORMAT_VERSION_REPLICATED)
        const back = decodeShardMap(bytes)
        expect(back.equals(map)).to.equal(true)
        expect(back.replicationFactor).to.equal(r)
      }
    }), RUNS)
  })

  it('round-trips two-byte replica indexes (300 nodes) and the empty map with R = 3', () => {
    const big = ShardMap.init(900, Array.from({ length: 300 }, (_, i) => `n${i}`), { replicationFactor: 3 })
    expect(decodeShardMap(encodeShardMap(big)).equals(big)).to.equal(true)
    const empty = ShardMap.init(7, undefined, { replicationFactor: 3 })
    expect(decodeShardMap(encodeShardMap(empty)).equals(empty)).to.equal(true)
  })

  it('rejects every truncation of a replicated encoding', () => {
    for (const map of [ShardMap.init(30, { a: 1, b: 2, c: 3 }, { replicationFactor: 2 }), ShardMap.init(9, ['a'], { replicationFactor: 3 }), ShardMap.init(5, undefined, { replicationFactor: 2 })]) {
      const bytes = encodeShardMap(map)
      for (let len = 0; len < bytes.length; len++) expect(() => decodeShardMap(bytes.subarray(0, len)), `prefix ${len}`).to.throw(DecodeError)
    }
  })

  /** A valid version-2 message over a, b, c (R = 3), with `fields` replaced. */
  function craft (fields: Record<string, unknown>): Uint8Array {
    const base = {
      version: 2, nodeCount: 3, shardCount: 2, nodes: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }, { id: 'c', weight: 1 }],
      ownerWidth: 1, owners: Uint8Array.of(0, 1), replicationFactor: 3, replicas: Uint8Array.of(1, 2, 2, 0)
    }
    return wire.encode({ ...base, ...fields }).finish()
  }

  it('rejects malformed replicas and factors with DecodeError', () => {
    expect(decodeShardMap(craft({})).replicasOf(1)).to.deep.equal(['c', 'a'])
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ version: 1 }, 'carries no replication factor'],
      [{ replicationFactor: 1 }, 'replication factor 1'],
      [{ replicationFactor: 9 }, 'replication factor 9'],
      [{ replicationFactor: 0xffff_ffff }, 'replication factor'],
      [{ replicas: Uint8Array.of(0, 2, 2, 0) }, 'primary'],
      [{ replicas: Uint8Array.of(2, 2, 2, 0) }, 'twice'],
      [{ replicas: Uint8Array.of(1, 3, 2, 0) }, 'replica index 3'],
      [{ replicas: Uint8Array.of(1, 2, 2) }, 'replicas hold 3 bytes'],
      [{ replicas: Uint8Array.of(1, 2, 2, 0, 1) }, 'replicas hold 5 bytes'],
      [{ replicationFactor: 2 }, 'replicas hold 4 bytes']
    ]
    for (const [fields, text] of cases) expectThrows(() => decodeShardMap(craft(fields)), DecodeError, text)
  })

  it('decodes corrupted replicated encodings to a consistent map or DecodeError, never anything else', () => {
    const bytes = encodeShardMap(ShardMap.init(40, { a: 1, b: 2, c: 3, d: 1 }, { replicationFactor: 3 }))
    fc.assert(fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
      const copy = bytes.slice()
      copy[at] = value
      try {
        const map = decodeShardMap(copy)
        for (let s = 0; s < map.shardCount; s++) expect(new Set(map.ownersOf(s)).size).to.equal(map.ownersOf(s).length)
      } catch (err) {
        expect(err).to.be.instanceOf(DecodeError)
      }
    }), { numRuns: 500 })
  })
})
