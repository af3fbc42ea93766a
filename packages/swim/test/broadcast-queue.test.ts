import { expect } from 'chai'
import fc from 'fast-check'
import { BroadcastQueue } from '../src/broadcast-queue.js'

const packed = (size: number): number => size + 2

interface Item { key: string, n: number }

const ops = fc.array(fc.oneof(
  fc.record({ op: fc.constant('enqueue' as const), key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), size: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ op: fc.constant('take' as const), limit: fc.integer({ min: 1, max: 6 }), bytes: fc.integer({ min: 0, max: 1400 }) })
), { maxLength: 60 })

describe('BroadcastQueue', () => {
  it('hands out those sent fewest times first', () => {
    const q = new BroadcastQueue<string>()
    q.enqueue('a', 'a1', 10)
    q.enqueue('b', 'b1', 10)
    expect(q.take(5, 12, packed)).to.deep.equal(['b1'])
    expect(q.take(5, 12, packed)).to.deep.equal(['a1'])
    expect(q.take(5, 100, packed)).to.deep.equal(['b1', 'a1'])
  })

  it('among equally sent broadcasts hands out the newest first', () => {
    const q = new BroadcastQueue<string>()
    q.enqueue('a', 'a1', 10)
    q.enqueue('b', 'b1', 10)
    q.enqueue('c', 'c1', 10)
    expect(q.take(5, 100, packed)).to.deep.equal(['c1', 'b1', 'a1'])
  })

  it('a newer broadcast about the same member replaces the older one', () => {
    const q = new BroadcastQueue<string>()
    let replaced = false
    q.enqueue('a', 'a1', 10, () => { replaced = true })
    q.take(5, 100, packed)
    q.enqueue('a', 'a2', 10)
    expect(replaced).to.equal(true)
    expect(q.length).to.equal(1)
    expect(q.get('a')).to.include({ message: 'a2', transmits: 0 })
  })

  it('drops a broadcast after the retransmit limit and reports it done', () => {
    const q = new BroadcastQueue<string>()
    let done = 0
    q.enqueue('a', 'a1', 10, () => { done++ })
    expect(q.take(3, 100, packed)).to.deep.equal(['a1'])
    expect(q.take(3, 100, packed)).to.deep.equal(['a1'])
    expect(done).to.equal(0)
    expect(q.take(3, 100, packed)).to.deep.equal(['a1'])
    expect(done).to.equal(1)
    expect(q.take(3, 100, packed)).to.deep.equal([])
  })

  it('skips a broadcast that does not fit and takes smaller ones after it', () => {
    const q = new BroadcastQueue<string>()
    q.enqueue('small', 's', 10)
    q.enqueue('big', 'b', 200)
    expect(q.take(5, 50, packed)).to.deep.equal(['s'])
    expect(q.takeOversize(5, 50, packed)).to.deep.equal(['b'])
  })

  it('never hands out more bytes than asked, nor one broadcast more often than the limit, and keeps one entry per member', () => {
    fc.assert(fc.property(ops, (list) => {
      const q = new BroadcastQueue<Item>()
      const sentCount = new Map<Item, number>()
      const sizes = new Map<Item, number>()
      let n = 0
      let maxLimit = 0
      for (const o of list) {
        if (o.op === 'enqueue') {
          const item = { key: o.key, n: n++ }
          sizes.set(item, o.size)
          q.enqueue(o.key, item, o.size)
          const keys = q.list().map(b => b.key)
          expect(new Set(keys).size).to.equal(keys.length)
          expect(q.get(o.key)?.message).to.equal(item)
        } else {
          const before = q.list()
          maxLimit = Math.max(maxLimit, o.limit)
          const out = q.take(o.limit, o.bytes, packed)
          const used = out.reduce((s, i) => s + packed(sizes.get(i) ?? 0), 0)
          expect(used).to.be.at.most(o.bytes)
          for (const i of out) {
            sentCount.set(i, (sentCount.get(i) ?? 0) + 1)
            expect(sentCount.get(i)).to.be.at.most(maxLimit)
            // a broadcast handed out is the one queued for its key, not a replaced one
            expect(before.some(b => b.message === i)).to.equal(true)
          }
          for (const b of q.list()) expect(b.transmits).to.be.below(o.limit)
          for (const i of out) expect(before.find(b => b.message === i)?.transmits).to.be.below(o.limit)
          // greedy packing: whatever was left behind (and not spent) did not fit in the bytes that remained
          const taken = new Set(out)
          const left = o.bytes - used
          for (const b of before) {
            if (!taken.has(b.message) && b.transmits < o.limit) expect(packed(b.size)).to.be.greaterThan(left)
          }
        }
      }
    }))
  })

  it('hands out broadcasts in non-decreasing order of transmits', () => {
    fc.assert(fc.property(ops, (list) => {
      const q = new BroadcastQueue<Item>()
      let n = 0
      for (const o of list) {
        if (o.op === 'enqueue') q.enqueue(o.key, { key: o.key, n: n++ }, o.size)
        else {
          const order = q.list().map(b => b.transmits)
          expect(order).to.deep.equal([...order].sort((a, b) => a - b))
          q.take(o.limit, o.bytes, packed)
        }
      }
    }))
  })
})
