import { SeededRandom, TERMS } from '@clusterfunk/core'
import { expect } from 'chai'
import { MemoryStorage, RaftCore, TermOutOfRangeError, type Message } from '../src/index.js'
import { configOf } from './helpers/network.js'

function core (id: string, storage = new MemoryStorage(configOf(['a', 'b', 'c']))): RaftCore {
  return new RaftCore({ id, storage, random: new SeededRandom(3) })
}

const heartbeat = (to: string, term: number): Message => ({ type: 'heartbeat', from: 'a', to, term, commit: 0, readSeq: 0 })

describe('terms keep to their range (term poisoning)', () => {
  it('a message whose term is more than TERMS.maxStep ahead is dropped and its reason returned', () => {
    const b = core('b')
    expect(b.step(heartbeat('b', TERMS.maxStep + 1))).to.equal('implausibleTerm')
    expect(b.status().term).to.equal(0)
    expect(b.status().leaderId).to.equal(undefined)
  })

  it('a message with a term out of range is dropped as out of range', () => {
    const b = core('b')
    for (const term of [TERMS.max + 1, Number.MAX_SAFE_INTEGER, 2 ** 53, -1, 1.5, Number.NaN]) {
      expect(b.step(heartbeat('b', term))).to.equal('outOfRange')
    }
    expect(b.status().term).to.equal(0)
  })

  it('a fresh node (term 0) follows a leader whose term is modest', () => {
    const b = core('b')
    expect(b.step(heartbeat('b', TERMS.maxStep))).to.equal(undefined)
    expect(b.status().term).to.equal(TERMS.maxStep)
    expect(b.status().leaderId).to.equal('a')
  })

  it('a restarted node follows a leader up to TERMS.maxStep terms past its stored term', () => {
    const storage = new MemoryStorage(configOf(['a', 'b', 'c']))
    storage.setHardState({ term: 500, vote: 'c', commit: 0 })
    const b = core('b', storage)
    expect(b.step(heartbeat('b', 500 + TERMS.maxStep))).to.equal(undefined)
    expect(b.status().term).to.equal(500 + TERMS.maxStep)
  })

  it('a stored term out of range refuses to start with TermOutOfRangeError instead of being lowered', () => {
    const storage = new MemoryStorage(configOf(['a', 'b', 'c']))
    storage.setHardState({ term: Number.MAX_SAFE_INTEGER, vote: undefined, commit: 0 })
    expect(() => core('b', storage)).to.throw(TermOutOfRangeError)
  })

  it('a node whose stored term is at the end of the range does not campaign and does not throw', () => {
    const storage = new MemoryStorage(configOf(['a', 'b', 'c']))
    storage.setHardState({ term: TERMS.max, vote: undefined, commit: 0 })
    const b = core('b', storage)
    for (let i = 0; i < 100; i++) b.tick()
    expect(b.campaign().ok).to.equal(true)
    expect(b.status().role).to.equal('follower')
    expect(b.status().term).to.equal(TERMS.max)
  })
})
