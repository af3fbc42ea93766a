import { InvalidArgumentError } from '@clusterfunk/core'
import { expect } from 'chai'
import { ShardMap, diff } from '../src/index.js'
import { expectThrows } from './helpers.js'

describe('diff', () => {
  it('lists exactly the shards a joining node gains and the others lose', () => {
    const prev = ShardMap.init(100, ['a', 'b', 'c', 'd'])
    const next = prev.update(['a', 'b', 'c', 'd', 'e'])
    const d = diff(prev, next)
    expect(d.nodes.get('e')?.gained).to.deep.equal(next.shardsOf('e'))
    const lost = ['a', 'b', 'c', 'd'].flatMap((id) => d.nodes.get(id)?.lost ?? []).sort((x, y) => x - y)
    expect(lost).to.deep.equal(next.shardsOf('e'))
    expect(d.moved).to.equal(next.countOf('e'))
    for (const id of ['a', 'b', 'c', 'd']) {
      const change = d.nodes.get(id)
      expect(prev.shardsOf(id).filter((s) => !(change?.lost ?? []).includes(s))).to.deep.equal(next.shardsOf(id))
    }
  })

  it('lists a leaving node as losing all its shards', () => {
    const prev = ShardMap.init(10, ['a', 'b'])
    const d = diff(prev, prev.update(['a']))
    expect(d.nodes.get('b')).to.deep.equal({ gained: [], lost: prev.shardsOf('b') })
    expect(d.nodes.get('a')).to.deep.equal({ gained: prev.shardsOf('b'), lost: [] })
    expect(d.moved).to.equal(5)
  })

  it('finds nothing between a map and itself', () => {
    const map = ShardMap.init(10, { a: 1, b: 2 })
    const d = diff(map, map)
    expect(d.moved).to.equal(0)
    expect([...d.nodes.values()]).to.deep.equal([{ gained: [], lost: [] }, { gained: [], lost: [] }])
  })

  it('counts every shard as gained when starting from the empty map', () => {
    const empty = ShardMap.init(6)
    const d = diff(empty, empty.update(['a']))
    expect(d.moved).to.equal(6)
    expect(d.nodes.get('a')?.gained).to.deep.equal([0, 1, 2, 3, 4, 5])
  })

  it('rejects maps of different shard counts', () => {
    expectThrows(() => diff(ShardMap.init(10, ['a']), ShardMap.init(11, ['a'])), InvalidArgumentError, 'cannot diff maps of 10 and 11 shards')
  })
})
