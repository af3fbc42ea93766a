import { DecodeError } from '@clusterfunk/core'
import { loadType } from '@clusterfunk/proto'
import { expect } from 'chai'
import fc from 'fast-check'
import { MAX_ENCODED_BYTES, MAX_NODES, MAX_SHARDS, MAX_WEIGHT, ShardMap, decodeShardMap, encodeShardMap } from '../src/index.js'
import { applyStep, arbSteps, arbWeights, expectThrows } from './helpers.js'

const wire = loadType('sharding.proto', 'clusterfunk.sharding.ShardMap')

/** Encodes a hand-made message, valid or not. */
function craft (fields: Record<string, unknown>): Uint8Array {
  const base = { version: 1, nodeCount: 2, shardCount: 3, nodes: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }], ownerWidth: 1, owners: Uint8Array.of(0, 1, 1) }
  return wire.encode({ ...base, ...fields }).finish()
}

describe('shard map encoding', () => {
  it('decodes what it encodes, for maps reached by any sequence of changes', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 500 }), arbWeights(9), arbSteps(9, 6), (s, w, steps) => {
      let weights = w
      let map = ShardMap.init(s, weights)
      for (const step of steps) {
        weights = applyStep(weights, step)
        map = map.update(weights)
      }
      expect(decodeShardMap(encodeShardMap(map)).equals(map)).to.equal(true)
    }), { numRuns: 200 })
  })

  it('round-trips a map of more than 256 nodes with two-byte owners', () => {
    const map = ShardMap.init(1000, Array.from({ length: 300 }, (_, i) => `n${i}`))
    const bytes = encodeShardMap(map)
    expect(decodeShardMap(bytes).equals(map)).to.equal(true)
    expect(bytes.length).to.be.greaterThan(2000)
  })

  it('round-trips the empty map', () => {
    const map = ShardMap.init(7)
    expect(decodeShardMap(encodeShardMap(map)).equals(map)).to.equal(true)
  })

  it('accepts the hand-made reference message', () => {
    const map = decodeShardMap(craft({}))
    expect(map.shardsOf('b')).to.deep.equal([1, 2])
  })

  it('uses one byte a shard for 10 000 shards over 50 nodes', () => {
    const map = ShardMap.init(10_000, Array.from({ length: 50 }, (_, i) => `node-${i}`))
    const bytes = encodeShardMap(map)
    expect(bytes.length).to.be.within(10_000, 10_000 + 50 * 16 + 16)
  })

  it('rejects random bytes with DecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      expectThrows(() => decodeShardMap(bytes), DecodeError)
    }), { numRuns: 1000 })
  })

  it('rejects every truncation of a valid encoding with DecodeError', () => {
    const maps = [
      ShardMap.init(40, { alpha: 1, beta: 2, gamma: 3 }),
      ShardMap.init(40),
      ShardMap.init(600, Array.from({ length: 300 }, (_, i) => `n${i}`))
    ]
    for (const map of maps) {
      const bytes = encodeShardMap(map)
      for (let len = 0; len < bytes.length; len++) expectThrows(() => decodeShardMap(bytes.subarray(0, len)), DecodeError)
    }
  })

  it('decodes a corrupted encoding to a consistent map or throws DecodeError, never anything else', () => {
    const bytes = encodeShardMap(ShardMap.init(40, { alpha: 1, beta: 2, gamma: 3 }))
    fc.assert(fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (at, mask) => {
      const copy = bytes.slice()
      copy[at] = (copy[at] as number) ^ mask
      try {
        const map = decodeShardMap(copy)
        expect(map.nodes().reduce((a, n) => a + n.shards, 0)).to.equal(map.shardCount)
      } catch (err) {
        expect(err).to.be.instanceOf(DecodeError)
      }
    }), { numRuns: 500 })
  })

  it('rejects another format version', () => {
    expectThrows(() => decodeShardMap(craft({ version: 3 })), DecodeError, 'unsupported shard map version 3')
  })

  it('rejects a node count that does not match the nodes listed', () => {
    expectThrows(() => decodeShardMap(craft({ nodeCount: 3 })), DecodeError, 'node count 3 does not match the 2 nodes')
  })

  it('rejects an owner index out of range', () => {
    expectThrows(() => decodeShardMap(craft({ owners: Uint8Array.of(0, 1, 2) })), DecodeError, 'owner index 2')
  })

  it('rejects an owner list shorter than the shard count', () => {
    expectThrows(() => decodeShardMap(craft({ owners: Uint8Array.of(0, 1) })), DecodeError, 'owners hold 2 bytes, expected 3 shards')
  })

  it('rejects a claimed shard count beyond the limit before allocating', () => {
    expectThrows(() => decodeShardMap(craft({ shardCount: 4_000_000_000 })), DecodeError, 'shard count 4000000000 outside')
  })

  it('rejects an owner width that does not fit the node count', () => {
    expectThrows(() => decodeShardMap(craft({ ownerWidth: 2, owners: new Uint8Array(6) })), DecodeError, 'owner width 2')
  })

  it('rejects unsorted or duplicate nodes', () => {
    expectThrows(() => decodeShardMap(craft({ nodes: [{ id: 'b', weight: 1 }, { id: 'a', weight: 1 }] })), DecodeError, 'sorted')
    expectThrows(() => decodeShardMap(craft({ nodes: [{ id: 'a', weight: 1 }, { id: 'a', weight: 1 }] })), DecodeError, 'sorted')
  })

  it('rejects a node with weight zero or an empty id', () => {
    expectThrows(() => decodeShardMap(craft({ nodes: [{ id: 'a', weight: 0 }, { id: 'b', weight: 1 }] })), DecodeError, 'weight of node "a"')
    expectThrows(() => decodeShardMap(craft({ nodes: [{ id: '', weight: 1 }, { id: 'b', weight: 1 }] })), DecodeError, 'non-empty')
  })

  it('rejects input longer than the largest valid encoding without decoding it', () => {
    expectThrows(() => decodeShardMap(new Uint8Array(MAX_ENCODED_BYTES + 1)), DecodeError, 'exceeds')
  })

  it('rejects input that is not a Uint8Array', () => {
    expectThrows(() => decodeShardMap('abc' as unknown as Uint8Array), DecodeError, 'Uint8Array')
  })
})

describe('shard map decoding at the edges of every number', () => {
  const U32 = 0xffff_ffff
  const edges = (max: number): number[] => [0, 1, max - 1, max, max + 1, U32 - 1, U32]

  it('every header number at its edges decodes to a valid map or a DecodeError, never another error', () => {
    const cases: Array<Record<string, unknown>> = [
      ...edges(1).map(version => ({ version })),
      ...edges(MAX_SHARDS).map(shardCount => ({ shardCount })),
      ...edges(MAX_NODES).map(nodeCount => ({ nodeCount })),
      ...[0, 1, 2, 3, U32].map(ownerWidth => ({ ownerWidth })),
      ...edges(MAX_WEIGHT).map(weight => ({ nodes: [{ id: 'a', weight }, { id: 'b', weight: 1 }] }))
    ]
    for (const fields of cases) {
      let result: unknown
      try {
        result = decodeShardMap(craft(fields))
      } catch (err) {
        result = err
      }
      expect(result instanceof ShardMap || result instanceof DecodeError, JSON.stringify(fields)).to.equal(true)
    }
    expect(() => decodeShardMap(craft({ nodes: [{ id: 'a', weight: MAX_WEIGHT + 1 }, { id: 'b', weight: 1 }] }))).to.throw(DecodeError)
    expect(decodeShardMap(craft({ nodes: [{ id: 'a', weight: MAX_WEIGHT }, { id: 'b', weight: 1 }] })).nodes()[0]?.weight).to.equal(MAX_WEIGHT)
    expect(() => decodeShardMap(craft({ shardCount: MAX_SHARDS + 1 }))).to.throw(DecodeError, /shard count/)
  })

  it('any uint32 in any header field never escapes as another error', () => {
    const field = fc.constantFrom('version', 'nodeCount', 'shardCount', 'ownerWidth')
    fc.assert(fc.property(field, fc.oneof(fc.constantFrom(0, 1, U32 - 1, U32), fc.nat({ max: U32 })), (name, value) => {
      try {
        decodeShardMap(craft({ [name]: value }))
      } catch (err) {
        expect(err).to.be.instanceOf(DecodeError)
      }
    }), { numRuns: 300 })
  })
})
