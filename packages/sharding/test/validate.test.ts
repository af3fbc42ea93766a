import { InvalidArgumentError } from '@clusterfunk/core'
import { expect } from 'chai'
import { MAX_NODES, ShardMap } from '../src/index.js'
import { expectThrows } from './helpers.js'

describe('input validation', () => {
  it('rejects a shard count of zero', () => {
    expectThrows(() => ShardMap.init(0), InvalidArgumentError, 'shardCount must be an integer from 1 to 1048576')
  })

  it('rejects a fractional shard count', () => {
    expectThrows(() => ShardMap.init(1.5), InvalidArgumentError, 'got 1.5')
  })

  it('rejects a shard count above 1 048 576', () => {
    expectThrows(() => ShardMap.init(1_048_577), InvalidArgumentError, 'got 1048577')
  })

  it('accepts the smallest and largest shard counts', () => {
    expect(ShardMap.init(1, ['a']).nodeFor(0)).to.equal('a')
    expect(ShardMap.init(1_048_576, ['a']).countOf('a')).to.equal(1_048_576)
  })

  it('rejects a weight of zero and names the node', () => {
    expectThrows(() => ShardMap.init(10, { a: 0 }), InvalidArgumentError, 'weight of node "a" must be an integer from 1 to 1000000')
  })

  it('rejects fractional, negative and too large weights', () => {
    for (const w of [1.5, -1, 1_000_001, Number.NaN]) {
      expectThrows(() => ShardMap.init(10, new Map([['a', w]])), InvalidArgumentError, 'weight of node "a"')
    }
  })

  it('rejects an empty node id', () => {
    expectThrows(() => ShardMap.init(10, ['']), InvalidArgumentError, 'non-empty string')
  })

  it('accepts a node id of 256 UTF-8 bytes and rejects one of 258', () => {
    expect(ShardMap.init(10, ['é'.repeat(128)]).countOf('é'.repeat(128))).to.equal(10)
    expectThrows(() => ShardMap.init(10, ['é'.repeat(129)]), InvalidArgumentError, 'longer than 256 UTF-8 bytes')
  })

  it('rejects a node id that is not a string', () => {
    expectThrows(() => ShardMap.init(10, [42 as unknown as string]), InvalidArgumentError, 'non-empty string')
  })

  it('rejects a node listed twice', () => {
    expectThrows(() => ShardMap.init(10, ['a', 'b', 'a']), InvalidArgumentError, 'node id "a" appears more than once')
  })

  it('rejects more nodes than the limit', () => {
    const ids = Array.from({ length: MAX_NODES + 1 }, (_, i) => `n${i}`)
    expectThrows(() => ShardMap.init(10, ids), InvalidArgumentError, `at most ${MAX_NODES} nodes`)
  })

  it('rejects a node set that is neither a Map, a record nor an array', () => {
    expectThrows(() => ShardMap.init(10, 'abc' as unknown as string[]), InvalidArgumentError, 'must be a Map or record')
  })
})
