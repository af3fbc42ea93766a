import { expect } from 'chai'
import fc from 'fast-check'
import { InvalidArgumentError } from '@clusterfunk/core'
import {
  MemoryStorage, applyConfigChange, hasQuorum, memberIds, quorumIndex, voteResult, voterIds,
  type ConfigChange, type Configuration
} from '../src/index.js'
import { Inflights } from '../src/inflights.js'
import { Progress } from '../src/progress.js'
import { configOf, entry } from './helpers/network.js'

describe('quorum arithmetic', () => {
  it('quorumIndex is the highest index a majority holds', () => {
    fc.assert(fc.property(fc.array(fc.nat(100), { minLength: 1, maxLength: 9 }), (matches) => {
      const ids = matches.map((_, i) => `n${i}`)
      const q = quorumIndex(ids, id => matches[Number(id.slice(1))] as number)
      const majority = Math.floor(ids.length / 2) + 1
      expect(matches.filter(m => m >= q).length).to.be.at.least(majority)
      expect(matches.filter(m => m >= q + 1).length).to.be.below(majority)
    }))
  })

  it('an election is won by a majority of granted votes and lost once a majority is impossible', () => {
    const voters = ['a', 'b', 'c', 'd', 'e']
    expect(voteResult(voters, new Map([['a', true], ['b', true]]))).to.equal('pending')
    expect(voteResult(voters, new Map([['a', true], ['b', true], ['c', true]]))).to.equal('won')
    expect(voteResult(voters, new Map([['a', true], ['b', false], ['c', false], ['d', false]]))).to.equal('lost')
    expect(voteResult(voters, new Map([['a', true], ['x', true], ['y', true]]))).to.equal('pending')
    expect(hasQuorum(['a', 'b', 'c', 'd'], id => id !== 'a')).to.equal(true)
    expect(hasQuorum(['a', 'b', 'c', 'd'], id => id === 'a' || id === 'b')).to.equal(false)
  })
})

describe('configuration changes', () => {
  const arbChange: fc.Arbitrary<ConfigChange> = fc.tuple(
    fc.constantFrom('addVoter', 'addNonVoter', 'promote', 'demote', 'remove'),
    fc.constantFrom('a', 'b', 'c', 'd', 'e')
  ).map(([type, id]) => (type === 'addVoter' || type === 'addNonVoter' ? { type, id, address: `${id}:1` } : { type, id }) as ConfigChange)

  it('any sequence of changes keeps voters and non-voters disjoint and at least one voter', () => {
    fc.assert(fc.property(fc.array(arbChange, { maxLength: 40 }), (changes) => {
      let config: Configuration = configOf(['a'])
      for (const c of changes) {
        try {
          config = applyConfigChange(config, c)
        } catch (err) {
          expect(err).to.be.instanceOf(InvalidArgumentError)
        }
        const ids = memberIds(config)
        expect(new Set(ids).size).to.equal(ids.length)
        expect(config.voters.length).to.be.at.least(1)
      }
    }))
  })

  it('promote and demote move a member between the lists', () => {
    const promoted = applyConfigChange(configOf(['a'], ['b']), { type: 'promote', id: 'b' })
    expect(voterIds(promoted)).to.deep.equal(['a', 'b'])
    const demoted = applyConfigChange(promoted, { type: 'demote', id: 'a' })
    expect(voterIds(demoted)).to.deep.equal(['b'])
    expect(demoted.nonVoters.map(m => m.id)).to.deep.equal(['a'])
    expect(() => applyConfigChange(demoted, { type: 'remove', id: 'b' })).to.throw(/last voter/)
  })
})

describe('progress and the inflight window', () => {
  it('the window fills, frees by acknowledgement, and frees its oldest on demand', () => {
    const w = new Inflights(3)
    w.add(2)
    w.add(4)
    w.add(6)
    expect(w.full()).to.equal(true)
    w.freeLE(4)
    expect(w.count).to.equal(1)
    w.freeFirstOne()
    expect(w.count).to.equal(0)
  })

  it('a probing follower backs off to the hint but never below its match', () => {
    const pr = new Progress(11, 4)
    pr.match = 3
    expect(pr.maybeDecrTo(9, 5), 'a rejection of an older message is stale').to.equal(false)
    expect(pr.maybeDecrTo(10, 2)).to.equal(true)
    expect(pr.next).to.equal(4)
  })

  it('a replicating follower returns to its match on rejection', () => {
    const pr = new Progress(1, 4)
    pr.maybeUpdate(5)
    pr.becomeReplicate()
    pr.next = 9
    expect(pr.maybeDecrTo(4, 0)).to.equal(false)
    expect(pr.maybeDecrTo(7, 0)).to.equal(true)
    expect(pr.next).to.equal(6)
  })
})

describe('MemoryStorage', () => {
  it('append replaces a conflicting suffix and refuses a gap', () => {
    const s = new MemoryStorage()
    s.append([entry(1, 1), entry(2, 1), entry(3, 1)])
    s.append([entry(2, 2)])
    expect(s.lastIndex()).to.equal(2)
    expect(s.term(2)).to.equal(2)
    expect(() => s.append([entry(5, 2)])).to.throw(InvalidArgumentError)
  })

  it('a snapshot compacts the log it covers and keeps its term', () => {
    const s = new MemoryStorage()
    s.append([entry(1, 1), entry(2, 1), entry(3, 2)])
    s.createSnapshot(2, configOf(['a']), new Uint8Array([7]))
    expect(s.firstIndex()).to.equal(3)
    expect(s.term(2)).to.equal(1)
    expect(s.term(1)).to.equal(undefined)
    expect(s.snapshotMetadata()).to.deep.include({ index: 2, term: 1 })
    expect(() => s.entries(2, 4, Infinity)).to.throw(RangeError)
  })

  it('entries stop at maxBytes but always return one', () => {
    const s = new MemoryStorage()
    s.append([entry(1, 1, 'x'.repeat(100)), entry(2, 1), entry(3, 1)])
    expect(s.entries(1, 4, 10)).to.have.length(1)
    expect(s.entries(2, 4, 1000)).to.have.length(2)
  })
})
