import { InvalidArgumentError } from '@clusterfunk/core'
import { expect } from 'chai'
import { ShardMap } from '../src/index.js'
import { expectThrows } from './helpers.js'

describe('ShardMap', () => {
  it('gives every node of equal weight the same share when it divides evenly', () => {
    const map = ShardMap.init(12, ['a', 'b', 'c'])
    expect(map.nodes()).to.deep.equal([
      { id: 'a', weight: 1, shards: 4, replicas: 0 },
      { id: 'b', weight: 1, shards: 4, replicas: 0 },
      { id: 'c', weight: 1, shards: 4, replicas: 0 }
    ])
  })

  it('gives weighted nodes shards in proportion to their weights', () => {
    const map = ShardMap.init(100, { big: 3, small: 1 })
    expect(map.countOf('big')).to.equal(75)
    expect(map.countOf('small')).to.equal(25)
  })

  it('starts empty without nodes, where nodeFor answers undefined', () => {
    const map = ShardMap.init(8)
    expect(map.nodes()).to.deep.equal([])
    expect(map.nodeFor(0)).to.equal(undefined)
    expect(map.shardsOf('a')).to.deep.equal([])
  })

  it('becomes empty again when every node leaves', () => {
    expect(ShardMap.init(8, ['a']).update([]).nodes()).to.deep.equal([])
  })

  it('returns a new map from update and leaves the previous one unchanged', () => {
    const before = ShardMap.init(10, ['a', 'b'])
    const owners = before.owners()
    const after = before.update(['a', 'b', 'c'])
    expect(after).to.not.equal(before)
    expect(before.owners()).to.deep.equal(owners)
    expect(before.countOf('c')).to.equal(0)
    expect(after.countOf('c')).to.be.greaterThan(0)
  })

  it('answers nodeFor for the first and the last shard', () => {
    const map = ShardMap.init(10, ['a', 'b'])
    expect(map.nodeFor(0)).to.equal('a')
    expect(map.nodeFor(9)).to.equal('b')
  })

  it('rejects nodeFor of -1, S, a fraction and NaN', () => {
    const map = ShardMap.init(10, ['a', 'b'])
    for (const shard of [-1, 10, 2.5, Number.NaN]) {
      expectThrows(() => map.nodeFor(shard), InvalidArgumentError, 'shard must be an integer from 0 to 9')
    }
  })

  it('lists shardsOf in ascending order, consistent with nodeFor', () => {
    const map = ShardMap.init(50, { a: 2, b: 3 }).update({ a: 2, b: 3, c: 1 })
    for (const { id, shards } of map.nodes()) {
      const list = map.shardsOf(id)
      expect(list).to.have.length(shards)
      expect(list).to.deep.equal([...list].sort((x, y) => x - y))
      for (const s of list) expect(map.nodeFor(s)).to.equal(id)
    }
  })

  it('reports zero shards and no membership for an unknown node', () => {
    const map = ShardMap.init(10, ['a'])
    expect(map.countOf('zz')).to.equal(0)
    expect(map.has('zz')).to.equal(false)
    expect(map.has('a')).to.equal(true)
  })

  it('builds the same map from a Map, a record and a list of ids', () => {
    const fromList = ShardMap.init(30, ['c', 'a', 'b'])
    expect(ShardMap.init(30, { b: 1, a: 1, c: 1 }).equals(fromList)).to.equal(true)
    expect(ShardMap.init(30, new Map([['a', 1], ['c', 1], ['b', 1]])).equals(fromList)).to.equal(true)
  })

  it('tells maps with different weights apart', () => {
    expect(ShardMap.init(30, { a: 1, b: 1 }).equals(ShardMap.init(30, { a: 1, b: 2 }))).to.equal(false)
  })

  it('rejects an assignment with an owner index out of range', () => {
    expectThrows(() => ShardMap.fromAssignment(2, [{ id: 'a', weight: 1 }], Uint16Array.of(0, 1)), InvalidArgumentError, 'owner index 1')
  })

  it('rejects an assignment with unsorted nodes', () => {
    expectThrows(() => ShardMap.fromAssignment(1, [{ id: 'b', weight: 1 }, { id: 'a', weight: 1 }], Uint16Array.of(0)), InvalidArgumentError, 'sorted')
  })
})
