import { expect } from 'chai'
import { ShardMap, diff } from '../src/index.js'
import { expectBalanced, minimalMoves } from './helpers.js'

// The two smallest cases (found by exhaustive search) where weights make
// balance and "only the joining/leaving node's shards move" incompatible.
describe('weighted movement limits', () => {
  it('moves a shard on a leave of a node that held none, because balance forces it', () => {
    // S=2, a:1 b:1 c:2 d:1 (shares 0.4 0.4 0.8 0.4): a and b keep their shard.
    const before = ShardMap.init(2, { a: 1, b: 1 }).update({ a: 1, b: 1, c: 2, d: 1 })
    expectBalanced(before)
    expect(before.countOf('d')).to.equal(0)
    // d leaves: c's share becomes exactly 1, so a or b must hand it a shard.
    const after = before.update({ a: 1, b: 1, c: 2 })
    expectBalanced(after)
    expect(after.countOf('c')).to.equal(1)
    expect(diff(before, after).moved).to.equal(1)
    expect(minimalMoves(before, new Map([['a', 1], ['b', 1], ['c', 2]]))).to.equal(1)
  })

  it('moves a shard to an existing node on a join, because balance forces it', () => {
    // S=4, a:2 b:2 c:1 d:1 (shares 1.33 1.33 0.67 0.67): a and b hold 2 each.
    const before = ShardMap.init(4, { a: 1, b: 1 }).update({ a: 2, b: 2, c: 1, d: 1 })
    expect(before.countOf('a')).to.equal(2)
    expect(before.countOf('b')).to.equal(2)
    // e:2 joins: a, b and e have shares of exactly 1, so 2 shards leave a and
    // b, e takes one and c or d (share 0.5) must take the other.
    const after = before.update({ a: 2, b: 2, c: 1, d: 1, e: 2 })
    expectBalanced(after)
    const d = diff(before, after)
    expect(after.countOf('e')).to.equal(1)
    expect(d.moved).to.equal(2)
    expect(minimalMoves(before, new Map([['a', 2], ['b', 2], ['c', 1], ['d', 1], ['e', 2]]))).to.equal(2)
  })

  it('moves 196 shards, all to the new node, when a 51st node joins 50 holding 10 000', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `node-${i}`)
    const before = ShardMap.init(10_000, ids)
    const after = before.update([...ids, 'node-50'])
    const d = diff(before, after)
    expect(d.moved).to.equal(Math.floor(10_000 / 51))
    expect(d.nodes.get('node-50')?.gained).to.have.length(d.moved)
  })
})
