import { expect } from 'chai'
import { ManualClock } from '@clusterfunk/core'
import { Deadlines } from '../src/deadlines.js'

describe('Deadlines (many request deadlines on one timer)', () => {
  it('expires each deadline at its time, earliest first, on one timer', () => {
    const clock = new ManualClock()
    const deadlines = new Deadlines(clock)
    const expired: string[] = []
    deadlines.add(30, () => expired.push('c'))
    deadlines.add(10, () => expired.push('a'))
    deadlines.add(20, () => expired.push('b'))
    expect(clock.pending).to.equal(1)
    clock.advance(9)
    expect(expired).to.deep.equal([])
    clock.advance(1)
    expect(expired).to.deep.equal(['a'])
    clock.advance(20)
    expect(expired).to.deep.equal(['a', 'b', 'c'])
    expect(clock.pending).to.equal(0)
  })

  it('a cancelled deadline never expires, and the timer moves on to the next one', () => {
    const clock = new ManualClock()
    const deadlines = new Deadlines(clock)
    const expired: string[] = []
    const cancelFirst = deadlines.add(10, () => expired.push('a'))
    deadlines.add(25, () => expired.push('b'))
    cancelFirst()
    clock.advance(10)
    expect(expired).to.deep.equal([])
    clock.advance(15)
    expect(expired).to.deep.equal(['b'])
  })

  it('clear() forgets every deadline and stops the timer', () => {
    const clock = new ManualClock()
    const deadlines = new Deadlines(clock)
    let expired = 0
    deadlines.add(5, () => { expired++ })
    deadlines.clear()
    expect(clock.pending).to.equal(0)
    clock.advance(10)
    expect(expired).to.equal(0)
  })
})
