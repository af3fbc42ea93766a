import { expect } from 'chai'
import { ShardedStore } from '../src/store.js'

describe('ShardedStore', () => {
  it('keeps values per shard and forgets the shards dropped', () => {
    const store = new ShardedStore()
    store.set(1, 'a', 'A')
    store.set(2, 'b', 'B')
    store.set(2, 'c', 'C')
    expect(store.get(1, 'a')).to.equal('A')
    expect(store.size).to.equal(3)
    store.drop([2])
    expect(store.get(2, 'b')).to.equal(undefined)
    expect(store.get(1, 'a')).to.equal('A')
    expect(store.size).to.equal(1)
  })
})
