import { expect } from 'chai'
import { FencedResource, checkLockHistory } from './lock-checker.js'

describe('lock history checker', () => {
  it('passes a history of disjoint leases with increasing tokens', () => {
    const r = new FencedResource()
    r.write('a', 5, 1); r.write('a', 5, 2); r.write('b', 9, 12)
    expect(checkLockHistory([{ owner: 'a', token: 5, asked: 0, start: 0, end: 10 }, { owner: 'b', token: 9, asked: 11, start: 11, end: 20 }], r.writes)).to.deep.equal([])
  })

  it('passes a paused holder whose late write the fenced resource refused', () => {
    const r = new FencedResource()
    r.write('a', 5, 1)
    r.write('b', 9, 12)
    expect(r.write('a', 5, 15)).to.equal(false)
    expect(checkLockHistory([{ owner: 'a', token: 5, asked: 0, start: 0, end: 16 }, { owner: 'b', token: 9, asked: 11, start: 11, end: 20 }], r.writes)).to.deep.equal([])
  })

  it('catches the same history against a resource that ignores tokens', () => {
    const r = new FencedResource()
    r.write('a', 5, 1); r.write('b', 9, 12); r.write('a', 5, 15)
    const violations = checkLockHistory([{ owner: 'a', token: 5, asked: 0, start: 0, end: 16 }, { owner: 'b', token: 9, asked: 11, start: 11, end: 20 }], r.unfenced)
    expect(violations).to.have.length(1)
    expect(violations[0]).to.contain('overlap')
  })

  it('catches a lock that reuses tokens, even behind a fenced resource', () => {
    const r = new FencedResource()
    r.write('a', 5, 1); r.write('b', 5, 12); r.write('a', 5, 15)
    const violations = checkLockHistory([{ owner: 'a', token: 5, asked: 0, start: 0, end: 16 }, { owner: 'b', token: 5, asked: 11, start: 11, end: 20 }], r.writes)
    expect(violations.some(v => v.includes('granted to a and to b'))).to.equal(true)
    expect(violations.some(v => v.includes('overlap'))).to.equal(true)
  })

  it('passes a holder that learned of its grant late, after a later lease ended', () => {
    // a asked at 0 and was granted token 5, then paused before it heard; b got 9 after a's lease expired.
    expect(checkLockHistory([{ owner: 'a', token: 5, asked: 0, start: 30, end: 31 }, { owner: 'b', token: 9, asked: 5, start: 11, end: 20 }], [])).to.deep.equal([])
  })

  it('catches tokens that go down from one holder to the next', () => {
    expect(checkLockHistory([{ owner: 'a', token: 9, asked: 0, start: 0, end: 10 }, { owner: 'b', token: 5, asked: 11, start: 11, end: 20 }], [])).to.have.length(1)
  })
})
