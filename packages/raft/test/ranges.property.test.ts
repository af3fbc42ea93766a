import { DecodeError, LOG_INDEXES, TERMS } from '@clusterfunk/core'
import { expect } from 'chai'
import fc from 'fast-check'
import { READ_SEQS, decodeMessage, encodeMessage, messageInRange, type Message, type RaftCore } from '../src/index.js'
import { Network } from './helpers/network.js'

const MAX = Number.MAX_SAFE_INTEGER
/** Boundary values of a range: 0, 1, max-1, max, max+1, the first unsafe integer and beyond (up to 2^63, as uint64 carries). */
const boundary = (max: number): fc.Arbitrary<number> => fc.constantFrom(0, 1, 2, max - 1, max, max + 1, MAX, 2 ** 53, 2 ** 53 + 2, 2 ** 63)
const wireTerm = fc.oneof(boundary(TERMS.max), fc.nat(1000))
const wireIndex = fc.oneof(boundary(LOG_INDEXES.max), fc.nat(1000))
/** What the core may be fed directly: also negative, fractional and non-finite numbers. */
const anyNumber = (max: number): fc.Arbitrary<number> => fc.oneof(boundary(max), fc.nat(50), fc.constantFrom(-1, -(2 ** 53), 0.5, Number.NaN, Number.POSITIVE_INFINITY))

function messages (term: fc.Arbitrary<number>, index: fc.Arbitrary<number>, readSeq: fc.Arbitrary<number>, from: fc.Arbitrary<string>, to: string): fc.Arbitrary<Message> {
  const env = { from, to: fc.constant(to), term }
  return fc.oneof(
    fc.record({ ...env, type: fc.constantFrom('voteRequest' as const, 'preVoteRequest' as const), lastLogIndex: index, lastLogTerm: term, leadershipTransfer: fc.boolean() }),
    fc.record({ ...env, type: fc.constantFrom('voteResponse' as const, 'preVoteResponse' as const), granted: fc.boolean() }),
    fc.record({ ...env, type: fc.constant('appendEntries' as const), prevLogIndex: index, prevLogTerm: term, entries: fc.constant([]), commit: index }),
    fc.record({ ...env, type: fc.constant('appendEntriesResponse' as const), success: fc.boolean(), matchIndex: index, rejectedIndex: index, conflictTerm: term, conflictIndex: index }),
    fc.record({ ...env, type: fc.constant('heartbeat' as const), commit: index, readSeq }),
    fc.record({ ...env, type: fc.constant('heartbeatResponse' as const), readSeq }),
    fc.record({ ...env, type: fc.constant('timeoutNow' as const) }),
    fc.record({ ...env, type: fc.constant('readIndexResponse' as const), requestId: fc.constant('r1'), index })
  ) as fc.Arbitrary<Message>
}

function numbersOf (m: Message): number[] {
  return Object.values(m).filter((v): v is number => typeof v === 'number')
}

describe('every number of a Raft message keeps to its range', () => {
  it('the codec decodes a message iff every number is in range, and then exactly', () => {
    fc.assert(fc.property(messages(wireTerm, wireIndex, fc.oneof(boundary(READ_SEQS.max), fc.nat(10)), fc.constant('a'), 'b'), (m) => {
      const bytes = encodeMessage(m)
      if (messageInRange(m)) {
        expect(decodeMessage(bytes)).to.deep.equal(m)
      } else {
        expect(() => decodeMessage(bytes)).to.throw(DecodeError)
      }
    }), { numRuns: 2000 })
  })

  it('every decoded number is in range, for any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      let m: Message
      try {
        m = decodeMessage(bytes)
      } catch (err) {
        expect(err).to.be.instanceOf(DecodeError)
        return
      }
      expect(messageInRange(m)).to.equal(true)
    }), { numRuns: 5000 })
  })

  function fed (core: RaftCore, m: Message): void {
    const before = core.status()
    const dropped = core.step(m)
    const after = core.status()
    if (!messageInRange(m)) {
      expect(dropped).to.equal('outOfRange')
      expect(after.term).to.equal(before.term)
      expect(after.commit).to.equal(before.commit)
    }
    expect(after.term - before.term).to.be.at.most(TERMS.maxStep)
    for (const v of [after.term, after.commit, after.applied, after.lastIndex]) expect(Number.isSafeInteger(v)).to.equal(true)
  }

  it('RaftCore.step never throws on boundary values, accepts none out of range, and the node can still elect a leader', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b'), messages(anyNumber(TERMS.max), anyNumber(LOG_INDEXES.max), anyNumber(READ_SEQS.max), fc.constantFrom('a', 'b', 'c'), '')), { maxLength: 30 }), (script) => {
      const net = Network.create(['a', 'b', 'c'])
      net.elect('a')
      for (const [to, m] of script) {
        const core = net.core(to)
        if (m.from === to) continue
        fed(core, { ...m, to })
        core.tick()
        if (core.hasReady()) { core.ready(); core.advance() }
      }
      for (const id of ['a', 'b', 'c']) expect(net.core(id).status().term).to.be.below(TERMS.max)
      // Whatever happened, the group can still elect a leader and commit.
      net.run(200)
      const leaders = ['a', 'b', 'c'].filter(id => net.core(id).status().role === 'leader')
      expect(leaders.length).to.be.at.least(1)
    }), { numRuns: 150 })
  })

  it('numbers out of range of every kind are dropped by the core, one field at a time', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    const b = net.core('b')
    for (const bad of [-1, 0.5, Number.NaN, TERMS.max + 1, 2 ** 53]) {
      const msgs: Message[] = [
        { type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: bad, readSeq: 0 },
        { type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 0, readSeq: bad },
        { type: 'appendEntries', from: 'a', to: 'b', term: 1, prevLogIndex: bad, prevLogTerm: 1, entries: [], commit: 0 },
        { type: 'voteRequest', from: 'c', to: 'b', term: 2, lastLogIndex: 1, lastLogTerm: bad, leadershipTransfer: false },
        { type: 'readIndexResponse', from: 'a', to: 'b', term: 1, requestId: 'x', index: bad }
      ]
      for (const m of msgs) {
        expect(numbersOf(m).some(v => Object.is(v, bad))).to.equal(true)
        expect(b.step(m)).to.equal('outOfRange')
      }
    }
  })
})
