import { expect } from 'chai'
import fc from 'fast-check'
import { applyHealthDelta, Awareness, scaleByHealth } from '../src/awareness.js'

describe('awareness', () => {
  it('scales a timeout by score + 1', () => {
    expect(scaleByHealth(1000, 0)).to.equal(1000)
    expect(scaleByHealth(1000, 3)).to.equal(4000)
  })

  it('keeps the score within [0, max − 1] whatever deltas arrive', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 16 }), fc.array(fc.integer({ min: -5, max: 5 })), (max, deltas) => {
      const a = new Awareness(max)
      for (const d of deltas) {
        a.applyDelta(d)
        expect(a.score).to.be.within(0, max - 1)
      }
    }))
  })

  it('raises the score on failures and lowers it on successes', () => {
    const a = new Awareness(8)
    a.applyDelta(3)
    expect(a.score).to.equal(3)
    expect(a.scale(500)).to.equal(2000)
    a.applyDelta(-1)
    expect(a.score).to.equal(2)
  })

  it('caps the scaling at the maximum multiplier', () => {
    expect(applyHealthDelta(6, 10, 8)).to.equal(7)
    const a = new Awareness(8)
    a.applyDelta(100)
    expect(a.scale(1000)).to.equal(8000)
  })

  it('never goes below healthy', () => {
    expect(applyHealthDelta(0, -1, 8)).to.equal(0)
  })
})
