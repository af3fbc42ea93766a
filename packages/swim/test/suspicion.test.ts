import { expect } from 'chai'
import fc from 'fast-check'
import { remainingSuspicionTime, Suspicion, suspicionBounds, suspicionTimeout, wantedConfirmations } from '../src/suspicion.js'

describe('suspicion timing', () => {
  it('the minimum is mult × probe interval up to ten members', () => {
    expect(suspicionBounds(4, 6, 1, 1000)).to.deep.equal({ minMs: 4000, maxMs: 24000 })
    expect(suspicionBounds(4, 6, 10, 1000)).to.deep.equal({ minMs: 4000, maxMs: 24000 })
  })

  it('the minimum grows with log10 of the cluster size beyond ten members', () => {
    expect(suspicionBounds(4, 6, 100, 1000).minMs).to.equal(8000)
    expect(suspicionBounds(4, 6, 16, 1000).minMs).to.equal(Math.floor(4 * Math.log10(16) * 1000))
    expect(suspicionBounds(4, 6, 1000, 1000)).to.deep.equal({ minMs: 12000, maxMs: 72000 })
  })

  it('with no confirmations the timeout is the maximum', () => {
    expect(suspicionTimeout(4000, 24000, 0, 2)).to.equal(24000)
  })

  it('with the wanted confirmations the timeout is the minimum', () => {
    expect(suspicionTimeout(4000, 24000, 2, 2)).to.equal(4000)
    expect(suspicionTimeout(4000, 24000, 5, 2)).to.equal(4000)
  })

  it('each confirmation shrinks the timeout on a log scale', () => {
    // max − (max − min) · log(2)/log(3) for one of two confirmations
    expect(suspicionTimeout(4000, 24000, 1, 2)).to.equal(Math.floor(24000 - 20000 * Math.log(2) / Math.log(3)))
  })

  it('with no confirmations wanted the timeout is the minimum from the start', () => {
    expect(suspicionTimeout(4000, 24000, 0, 0)).to.equal(4000)
  })

  it('the timeout never rises with more confirmations and stays within [min, max]', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 12 }),
      (min, mult, wanted, c) => {
        const max = min * mult
        const t = suspicionTimeout(min, max, c, wanted)
        expect(t).to.be.within(min, max)
        expect(suspicionTimeout(min, max, c + 1, wanted)).to.be.at.most(t)
      }))
  })

  it('the remaining time subtracts what has elapsed', () => {
    expect(remainingSuspicionTime(0, 2, 1000, 4000, 24000)).to.equal(23000)
    expect(remainingSuspicionTime(2, 2, 5000, 4000, 24000)).to.equal(-1000)
  })

  it('confirmations wanted are mult − 2, or none in a cluster too small to give them', () => {
    expect(wantedConfirmations(4, 16)).to.equal(2)
    expect(wantedConfirmations(4, 4)).to.equal(2)
    expect(wantedConfirmations(4, 3)).to.equal(0)
    expect(wantedConfirmations(6, 5)).to.equal(0)
  })
})

describe('Suspicion', () => {
  it('counts each confirming member once and never the accuser', () => {
    const s = new Suspicion('b', 100, 2, { minMs: 4000, maxMs: 24000 })
    expect(s.deadline).to.equal(24100)
    expect(s.confirm('b')).to.equal(false)
    expect(s.confirm('c')).to.equal(true)
    expect(s.confirm('c')).to.equal(false)
    expect(s.confirmations).to.equal(1)
    expect(s.deadline).to.equal(100 + suspicionTimeout(4000, 24000, 1, 2))
    expect(s.confirm('d')).to.equal(true)
    expect(s.deadline).to.equal(4100)
  })

  it('stops accepting confirmations once it has the wanted number', () => {
    const s = new Suspicion('b', 0, 1, { minMs: 10, maxMs: 60 })
    expect(s.confirm('c')).to.equal(true)
    expect(s.confirm('d')).to.equal(false)
    expect(s.confirmations).to.equal(1)
  })
})
