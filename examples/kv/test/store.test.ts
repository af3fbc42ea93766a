import { expect } from 'chai'
import { ShardedStore, StoreFullError } from '../src/store.js'

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

  it('refuses a new entry past maxEntries and keeps what it holds', () => {
    const store = new ShardedStore({ maxEntries: 2, maxBytes: 1_000 })
    store.set(1, 'a', 'A')
    store.set(2, 'b', 'B')
    expect(() => { store.set(3, 'c', 'C') }).to.throw(StoreFullError, 'at most 2')
    expect(store.size).to.equal(2)
    expect(store.get(3, 'c')).to.equal(undefined)
    store.set(1, 'a', 'overwrite is not a new entry')
    expect(store.get(1, 'a')).to.equal('overwrite is not a new entry')
  })

  it('refuses a write past maxBytes, counting keys and values in UTF-8', () => {
    const store = new ShardedStore({ maxEntries: 100, maxBytes: 10 })
    store.set(1, 'k', 'ööö') // 1 + 6 bytes
    expect(store.bytes).to.equal(7)
    let err: unknown
    try { store.set(1, 'k2', 'xx') } catch (e) { err = e }
    expect(err).to.be.instanceOf(StoreFullError)
    expect((err as StoreFullError).limit).to.equal('bytes')
    expect(store.bytes).to.equal(7)
    store.set(1, 'k', 'abcdefghi') // replaces: 1 + 9 bytes
    expect(store.bytes).to.equal(10)
  })

  it('frees entries and bytes when shards are dropped', () => {
    const store = new ShardedStore({ maxEntries: 1, maxBytes: 100 })
    store.set(1, 'a', 'A')
    store.drop([1])
    expect(store.bytes).to.equal(0)
    store.set(2, 'b', 'B')
    expect(store.size).to.equal(1)
  })
})
