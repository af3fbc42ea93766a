import { expect } from 'chai'
import fc from 'fast-check'
import {
  CounterExhaustedError, DecodeError, INCARNATIONS, LOG_INDEXES, TERMS,
  checkCounter, counterRange, inRange, nextCounter, plausibleAdvance
} from '../src/index.js'

describe('counter ranges', () => {
  const ranges = [TERMS, LOG_INDEXES, INCARNATIONS]

  it('accept 0 and max, and reject max + 1, negatives, fractions and the first unsafe integer', () => {
    for (const r of ranges) {
      expect(inRange(r, 0)).to.equal(true)
      expect(inRange(r, r.max)).to.equal(true)
      expect(inRange(r, r.max + 1)).to.equal(false)
      expect(inRange(r, -1)).to.equal(false)
      expect(inRange(r, 0.5)).to.equal(false)
      expect(inRange(r, Number.MAX_SAFE_INTEGER + 1)).to.equal(false)
      expect(inRange(r, Number.NaN)).to.equal(false)
    }
  })

  it('leave room to advance: next(max - 1) is max, and max is still representable on the wire', () => {
    expect(nextCounter(TERMS, TERMS.max - 1)).to.equal(TERMS.max)
    expect(Number.isSafeInteger(TERMS.max)).to.equal(true)
    expect(INCARNATIONS.max).to.be.below(2 ** 32)
  })

  it('refuse to advance past max with a typed error, never wrap', () => {
    expect(() => nextCounter(INCARNATIONS, INCARNATIONS.max)).to.throw(CounterExhaustedError)
    expect(() => nextCounter(TERMS, TERMS.max)).to.throw(CounterExhaustedError)
  })

  it('name the field of a value out of range', () => {
    expect(() => checkCounter(TERMS, 2 ** 53, 'append.term')).to.throw(DecodeError, /append\.term/)
    expect(checkCounter(TERMS, 7)).to.equal(7)
  })

  it('take an advance of at most maxStep as plausible, and any value behind', () => {
    const r = counterRange('test', 1000, 10)
    expect(plausibleAdvance(r, 5, 15)).to.equal(true)
    expect(plausibleAdvance(r, 5, 16)).to.equal(false)
    expect(plausibleAdvance(r, 500, 0)).to.equal(true)
    expect(plausibleAdvance(r, 995, 1001)).to.equal(false)
  })

  it('make exhausting a counter take max / maxStep accepted claims', () => {
    fc.assert(fc.property(fc.nat({ max: INCARNATIONS.max }), fc.nat({ max: INCARNATIONS.max }), (known, claimed) => {
      if (plausibleAdvance(INCARNATIONS, known, claimed)) expect(claimed).to.be.at.most(known + INCARNATIONS.maxStep)
    }))
  })

  it('reject a malformed range', () => {
    expect(() => counterRange('x', 0, 1)).to.throw(RangeError)
    expect(() => counterRange('x', 10, 11)).to.throw(RangeError)
  })
})
