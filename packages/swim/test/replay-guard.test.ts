import { expect } from 'chai'
import fc from 'fast-check'
import { DecodeError } from '@clusterfunk/core'
import { readFreshness, ReplayGuard, writeFreshness, type Freshness } from '../src/index.js'

const NOW = 1_700_000_000_000
const options = { windowSize: 64, maxAgeMs: 30_000, maxStrangers: 2 }

function msg (seq: number, extra: Partial<Freshness> = {}): Freshness {
  return { sender: 'a', recipient: 'b', epoch: NOW - 1000, seq, sentAt: NOW, ...extra }
}

describe('ReplayGuard', () => {
  it('accepts each sequence number once, in any order within the window', () => {
    const g = new ReplayGuard(options)
    for (const seq of [5, 3, 9, 4, 70]) expect(g.accept(msg(seq), NOW, true)).to.equal(undefined)
    for (const seq of [5, 9, 70]) expect(g.accept(msg(seq), NOW, true)).to.equal('replay')
    expect(g.accept(msg(6), NOW, true)).to.equal('replay') // 70 − 6 = 64: fell out of the window
    expect(g.accept(msg(7), NOW, true)).to.equal(undefined)
  })

  it('a later epoch (a restart) starts a new window; an earlier one is a replay', () => {
    const g = new ReplayGuard(options)
    expect(g.accept(msg(100), NOW, true)).to.equal(undefined)
    expect(g.accept(msg(1, { epoch: NOW }), NOW, true)).to.equal(undefined)
    expect(g.accept(msg(101), NOW, true)).to.equal('replay')
    expect(g.accept(msg(2, { epoch: NOW }), NOW, true)).to.equal(undefined)
  })

  it('messages sent outside the time window are stale, whichever way the clock is off', () => {
    const g = new ReplayGuard(options)
    expect(g.accept(msg(1, { sentAt: NOW - 60_000 }), NOW, true)).to.equal('stale')
    expect(g.accept(msg(1, { sentAt: NOW + 60_000 }), NOW, true)).to.equal('stale')
    expect(g.accept(msg(1, { sentAt: NOW - 29_000 }), NOW, true)).to.equal(undefined)
  })

  it('keeps windows for members until forgotten, and at most maxStrangers for others', () => {
    const g = new ReplayGuard(options)
    for (const sender of ['m1', 'm2', 'm3']) g.accept(msg(1, { sender }), NOW, true)
    for (const sender of ['s1', 's2', 's3']) g.accept(msg(1, { sender }), NOW, false)
    expect(g.size).to.deep.equal({ members: 3, strangers: 2 })
    g.forget('m1')
    expect(g.size.members).to.equal(2)
    expect(g.accept(msg(1, { sender: 's3' }), NOW, true)).to.equal('replay')
    expect(g.size).to.deep.equal({ members: 3, strangers: 1 })
  })

  it('a sequence is never accepted twice, whatever the order (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 200 }), (seqs) => {
      const g = new ReplayGuard(options)
      const accepted = new Set<number>()
      for (const seq of seqs) {
        if (g.accept(msg(seq), NOW, true) === undefined) {
          expect(accepted.has(seq)).to.equal(false)
          accepted.add(seq)
        }
      }
    }))
  })

  it('the header round-trips, and malformed or out-of-range headers throw DecodeError only', () => {
    const f = msg(Number.MAX_SAFE_INTEGER, { sentAt: 0 })
    expect(readFreshness(writeFreshness(f, Buffer.from('x'))).freshness).to.deep.equal(f)
    const tooBig = writeFreshness(msg(1), Buffer.alloc(0))
    tooBig.writeBigUInt64BE(2n ** 53n, tooBig.length - 16) // seq: the first unsafe integer
    expect(() => readFreshness(tooBig)).to.throw(DecodeError)
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      try {
        readFreshness(bytes)
      } catch (err) {
        expect(err).to.be.instanceOf(DecodeError)
      }
    }))
  })
})
