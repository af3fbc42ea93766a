import { expect } from 'chai'
import { InvalidConfigError, SeededRandom } from '@clusterfunk/core'
import { MemoryStorage, RaftCore, isEmptyReady, type Entry } from '../src/index.js'
import { Network, bytes, configOf } from './helpers/network.js'

describe('the Ready / advance contract', () => {
  it('a follower acknowledges entries in the same Ready that hands them out for persisting', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.propose('a', 'x')
    const rd = net.node('b').readies.find(r => r.entries.some(e => e.type === 'normal'))
    expect(rd).to.not.equal(undefined)
    const lastEntry = (rd?.entries[rd.entries.length - 1] as Entry).index
    const acks = rd?.messages.filter(m => m.type === 'appendEntriesResponse' && m.success && m.matchIndex >= lastEntry)
    expect(acks).to.have.length(1)
  })

  it('every committed entry is handed out exactly once, in index order', () => {
    const net = Network.create(['a', 'b', 'c'], {}, 4)
    net.elect('a')
    net.dropRate = 0.2
    for (let i = 0; i < 30; i++) {
      net.core('a').propose(bytes(`p${i}`))
      net.tickAll()
      net.deliverQueued()
    }
    net.dropRate = 0
    net.run(5)
    for (const id of ['a', 'b', 'c']) {
      const handed = net.node(id).readies.flatMap(rd => rd.committedEntries.map(e => e.index))
      expect(handed, id).to.deep.equal(handed.map((_, i) => i + 1))
    }
  })

  it('ready() twice without advance() throws, and so does advance() without ready()', () => {
    const core = new RaftCore({ id: 'a', storage: new MemoryStorage(configOf(['a'])), random: new SeededRandom(1) })
    core.campaign()
    expect(core.hasReady()).to.equal(true)
    core.ready()
    expect(core.hasReady()).to.equal(false)
    expect(() => core.ready()).to.throw(/advance/)
    core.advance()
    expect(() => core.advance()).to.throw(/ready/)
  })

  it('the hard state is handed out only when it changed', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.node('b').readies.length = 0
    net.run(3)
    const readies = net.node('b').readies
    expect(readies.length).to.be.greaterThan(0)
    expect(readies.every(rd => rd.hardState === undefined)).to.equal(true)
    expect(readies.every(rd => !isEmptyReady(rd))).to.equal(true)
  })

  it('inputs between ready() and advance() go into the next Ready', () => {
    const storage = new MemoryStorage(configOf(['a']))
    const core = new RaftCore({ id: 'a', storage, random: new SeededRandom(1) })
    core.campaign()
    const first = core.ready()
    const result = core.propose(bytes('late'))
    storage.append(first.entries)
    core.advance()
    const second = core.ready()
    expect(first.entries.map(e => e.type)).to.deep.equal(['noop'])
    expect(result.ok && second.entries.map(e => e.index)).to.deep.equal([2])
  })

  it('a restarted node keeps its term, vote and log', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.propose('a', 'x')
    const before = net.core('b').status()
    const b = net.restart('b').core.status()
    expect(b).to.include({ term: before.term, vote: before.vote, lastIndex: before.lastIndex, commit: before.commit, role: 'follower' })
    net.propose('a', 'y')
    expect(net.appliedData('b')).to.deep.equal(['x', 'y'])
  })

  it('invalid options are refused with InvalidConfigError', () => {
    const storage = new MemoryStorage()
    const random = new SeededRandom(1)
    expect(() => new RaftCore({ id: '', storage, random })).to.throw(InvalidConfigError)
    expect(() => new RaftCore({ id: 'a', storage, random, electionTicks: 1 })).to.throw(InvalidConfigError)
    expect(() => new RaftCore({ id: 'a', storage, random, electionTicks: 5, heartbeatTicks: 5 })).to.throw(InvalidConfigError)
    expect(() => new RaftCore({ id: 'a', storage, random, maxInflight: 0 })).to.throw(InvalidConfigError)
    expect(() => new RaftCore({ id: 'a', storage, random, applied: 3 }), 'applied past the stored commit').to.throw(InvalidConfigError)
  })

  it('committed entries are handed out within maxCommittedBytesPerReady, at least one a Ready', () => {
    const net = Network.create(['a'], { maxCommittedBytesPerReady: 50 })
    net.elect('a')
    for (let i = 0; i < 5; i++) net.core('a').propose(bytes('x'.repeat(20)))
    net.processAllReady()
    const batches = net.node('a').readies.map(rd => rd.committedEntries.length).filter(n => n > 0)
    expect(Math.max(...batches)).to.equal(1)
    expect(net.appliedData('a')).to.have.length(5)
  })

  it('a message addressed to another node is ignored', () => {
    const core = new RaftCore({ id: 'a', storage: new MemoryStorage(configOf(['a', 'b'])), random: new SeededRandom(1) })
    core.step({ type: 'heartbeat', from: 'b', to: 'c', term: 9, commit: 0, readSeq: 0 })
    expect(core.status().term).to.equal(0)
  })
})
