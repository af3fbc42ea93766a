import { expect } from 'chai'
import { SeededRandom } from '@clusterfunk/core'
import { MemoryStorage, RaftCore, voterIds, type ConfigChange, type Entry } from '../src/index.js'
import { Network, bytes, configOf, entry } from './helpers/network.js'

function change (net: Network, leader: string, c: ConfigChange): number {
  const result = net.core(leader).proposeConfigChange(c)
  if (!result.ok) throw result.error
  net.stabilize()
  return result.index
}

function configEntry (index: number, term: number, voters: string[]): Entry {
  return { index, term, type: 'config', data: new Uint8Array(0), configuration: configOf(voters) }
}

describe('membership changes (dissertation §4, one server at a time)', () => {
  it('a new configuration takes effect on the leader as soon as it is appended', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.isolate('b')
    net.isolate('c')
    const result = net.core('a').proposeConfigChange({ type: 'addNonVoter', id: 'd', address: 'd:7000' })
    expect(result.ok).to.equal(true)
    const status = net.core('a').status()
    expect(status.configuration.nonVoters.map(m => m.id)).to.deep.equal(['d'])
    expect(status.commit).to.be.below(status.configurationIndex)
  })

  it('a non-voter receives the whole log and applies it', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.propose('a', 'before')
    net.add('d', new MemoryStorage())
    change(net, 'a', { type: 'addNonVoter', id: 'd', address: 'd:7000' })
    net.propose('a', 'after')
    net.run(3)
    expect(net.appliedData('d')).to.deep.equal(['before', 'after'])
    const progress = net.core('a').status().progress.get('d')
    expect(progress).to.include({ isVoter: false, match: net.core('a').status().lastIndex })
  })

  it('a non-voter never campaigns', () => {
    const net = Network.create(['a', 'b'], {}, 1, ['c'])
    net.elect('a')
    net.isolate('a')
    for (let i = 0; i < 100; i++) net.tick('c')
    expect(net.node('c').softStates.map(s => s.role)).to.not.include('preCandidate')
    expect(net.core('c').campaign().ok).to.equal(false)
    expect(net.core('c').status().role).to.equal('follower')
  })

  it('a non-voter\'s vote does not count towards a majority', () => {
    const net = Network.create(['a', 'b'], { preVote: false }, 1, ['c'])
    net.isolate('b')
    net.elect('a')
    const a = net.core('a')
    expect(a.status()).to.include({ role: 'candidate', term: 1 })
    a.step({ type: 'voteResponse', from: 'c', to: 'a', term: 1, granted: true })
    expect(a.status().role).to.equal('candidate')
  })

  it('a non-voter still grants a vote, for a promotion it has not received yet', () => {
    const c = new RaftCore({ id: 'c', storage: new MemoryStorage(configOf(['a', 'b'], ['c'])), random: new SeededRandom(1), preVote: false })
    c.step({ type: 'voteRequest', from: 'b', to: 'c', term: 2, lastLogIndex: 0, lastLogTerm: 0, leadershipTransfer: false })
    expect(c.ready().messages[0]).to.include({ type: 'voteResponse', granted: true, to: 'b' })
  })

  it('a second change is refused while the first is uncommitted', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.isolate('a')
    expect(net.core('a').proposeConfigChange({ type: 'addNonVoter', id: 'd', address: 'd:7000' }).ok).to.equal(true)
    const second = net.core('a').proposeConfigChange({ type: 'addNonVoter', id: 'e', address: 'e:7000' })
    expect(second.ok).to.equal(false)
    if (!second.ok) expect(second.error.name).to.equal('ConfigChangeInProgressError')
  })

  it('a change is refused until the leader has committed an entry of its term', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.dropTypes.add('appendEntries')
    net.elect('a')
    const early = net.core('a').proposeConfigChange({ type: 'remove', id: 'c' })
    expect(early.ok).to.equal(false)
    if (!early.ok) expect(early.error.message).to.match(/committed an entry of its term/)
    net.dropTypes.clear()
    net.run(2)
    expect(net.core('a').proposeConfigChange({ type: 'remove', id: 'c' }).ok).to.equal(true)
  })

  it('an invalid change is refused without touching the log', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    const last = net.core('a').status().lastIndex
    const result = net.core('a').proposeConfigChange({ type: 'promote', id: 'b' })
    expect(result.ok).to.equal(false)
    if (!result.ok) expect(result.error.name).to.equal('InvalidArgumentError')
    expect(net.core('a').status().lastIndex).to.equal(last)
  })

  it('a promoted non-voter counts towards the commit quorum', () => {
    const net = Network.create(['a', 'b'], {}, 1, ['c'])
    net.elect('a')
    change(net, 'a', { type: 'promote', id: 'c' })
    expect(voterIds(net.core('b').status().configuration)).to.deep.equal(['a', 'b', 'c'])
    net.isolate('b')
    net.propose('a', 'with c')
    expect(net.appliedData('a')).to.deep.equal(['with c'])
    net.isolate('c')
    const result = net.core('a').propose(bytes('alone'))
    net.stabilize()
    expect(result.ok && net.core('a').status().commit < result.index).to.equal(true)
  })

  it('a removed follower is no longer replicated to and no longer counted', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    change(net, 'a', { type: 'remove', id: 'c' })
    net.propose('a', 'two voters')
    expect(net.appliedData('c')).to.deep.equal([])
    expect([...net.core('a').status().progress.keys()].sort()).to.deep.equal(['a', 'b'])
    net.isolate('c')
    net.propose('a', 'still')
    expect(net.appliedData('b')).to.deep.equal(['two voters', 'still'])
  })

  it('a leader removed from the configuration steps down once the change commits', () => {
    const net = Network.create(['a', 'b', 'c'], { electionTicks: 5 })
    net.elect('a')
    const index = net.core('a').proposeConfigChange({ type: 'remove', id: 'a' })
    expect(index.ok).to.equal(true)
    // While the change is uncommitted a still leads.
    expect(net.core('a').status().role).to.equal('leader')
    net.stabilize()
    expect(net.core('a').status().role).to.equal('follower')
    const seen = net.node('a').softStates.length
    net.run(40)
    expect(net.leader()).to.be.oneOf(['b', 'c'])
    expect(net.node('a').softStates.slice(seen).filter(s => s.role !== 'follower')).to.have.length(0)
  })

  it('a demoted voter becomes a non-voter that still replicates but never campaigns', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    change(net, 'a', { type: 'demote', id: 'c' })
    expect(net.core('c').status().configuration.nonVoters.map(m => m.id)).to.deep.equal(['c'])
    net.propose('a', 'x')
    expect(net.appliedData('c')).to.deep.equal(['x'])
    net.isolate('a')
    for (let i = 0; i < 100; i++) net.tick('c')
    expect(net.core('c').status().role).to.equal('follower')
  })

  it('a configuration entry dropped by a conflicting leader rolls the membership back', () => {
    const b = new RaftCore({ id: 'b', storage: new MemoryStorage(configOf(['a', 'b', 'c'])), random: new SeededRandom(1) })
    b.step({ type: 'appendEntries', from: 'a', to: 'b', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [entry(1, 1), configEntry(2, 1, ['a', 'b', 'c', 'd'])], commit: 1 })
    expect(voterIds(b.status().configuration)).to.deep.equal(['a', 'b', 'c', 'd'])
    b.step({ type: 'appendEntries', from: 'c', to: 'b', term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: [entry(2, 2)], commit: 1 })
    expect(voterIds(b.status().configuration)).to.deep.equal(['a', 'b', 'c'])
  })

  it('a restarted node finds its newest configuration in its log', () => {
    const storage = new MemoryStorage(configOf(['a', 'b', 'c']))
    storage.append([entry(1, 1), configEntry(2, 1, ['a', 'b']), entry(3, 1)])
    storage.setHardState({ term: 1, vote: undefined, commit: 1 })
    const core = new RaftCore({ id: 'a', storage, random: new SeededRandom(1) })
    expect(core.status()).to.deep.include({ configurationIndex: 2 })
    expect(voterIds(core.status().configuration)).to.deep.equal(['a', 'b'])
  })
})
