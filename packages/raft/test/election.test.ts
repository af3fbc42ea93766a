import { expect } from 'chai'
import { SeededRandom } from '@clusterfunk/core'
import { MemoryStorage, RaftCore, type Message, type VoteRequest } from '../src/index.js'
import { Network, configOf, entry } from './helpers/network.js'
import { storageWithLog } from './helpers/logs.js'

function voteRequest (from: string, to: string, term: number, lastLogIndex: number, lastLogTerm: number, preVote = false): VoteRequest {
  return { type: preVote ? 'preVoteRequest' : 'voteRequest', from, to, term, lastLogIndex, lastLogTerm, leadershipTransfer: false }
}

function takeMessages (core: RaftCore): Message[] {
  if (!core.hasReady()) return []
  const rd = core.ready()
  core.advance()
  return [...rd.messages]
}

function lone (id: string, voters: string[], options: { preVote?: boolean, checkQuorum?: boolean } = {}, storage = new MemoryStorage(configOf(voters))): RaftCore {
  return new RaftCore({ id, storage, random: new SeededRandom(7), preVote: false, checkQuorum: false, ...options })
}

describe('leader election (Raft §5.2)', () => {
  it('a follower that hears nothing campaigns within [T, 2T) ticks', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const core = new RaftCore({ id: 'a', storage: new MemoryStorage(configOf(['a', 'b', 'c'])), random: new SeededRandom(seed), electionTicks: 10, preVote: false })
      let ticks = 0
      while (core.status().role === 'follower' && ticks < 100) {
        core.tick()
        ticks++
      }
      expect(ticks).to.be.at.least(10).and.below(20)
      expect(core.status().role).to.equal('candidate')
    }
  })

  it('a candidate that wins a majority of votes becomes leader and appends a no-op of its term', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    const s = net.core('a').status()
    expect(s.role).to.equal('leader')
    expect(s.term).to.equal(1)
    const noop = net.node('a').applied[0]
    expect(noop?.type).to.equal('noop')
    expect(noop?.term).to.equal(1)
    for (const id of ['b', 'c']) expect(net.core(id).status().leaderId).to.equal('a')
  })

  it('a single voter elects itself and commits its no-op', () => {
    const net = Network.create(['a'])
    net.run(25)
    expect(net.core('a').status().role).to.equal('leader')
    expect(net.core('a').status().commit).to.equal(1)
  })

  it('a candidate refused by a majority returns to follower', () => {
    const a = lone('a', ['a', 'b', 'c'])
    a.campaign()
    takeMessages(a)
    a.step({ type: 'voteResponse', from: 'b', to: 'a', term: 1, granted: false })
    expect(a.status().role).to.equal('candidate')
    a.step({ type: 'voteResponse', from: 'c', to: 'a', term: 1, granted: false })
    expect(a.status().role).to.equal('follower')
  })

  it('a follower that hears a higher term becomes follower of it', () => {
    for (const role of ['follower', 'candidate', 'leader'] as const) {
      const net = Network.create(['a', 'b', 'c'])
      if (role !== 'follower') {
        if (role === 'leader') net.elect('a')
        else net.core('a').campaign()
      }
      const a = net.core('a')
      const term = a.status().term + 5
      a.step({ type: 'heartbeat', from: 'c', to: 'a', term, commit: 0, readSeq: 0 })
      expect(a.status(), role).to.include({ role: 'follower', term, leaderId: 'c' })
    }
  })

  it('a message of an older term is ignored', () => {
    const net = Network.create(['a', 'b', 'c'], { preVote: false, checkQuorum: false })
    net.elect('a')
    net.elect('b')
    const a = net.core('a')
    expect(a.status().term).to.equal(2)
    a.step({ type: 'appendEntries', from: 'c', to: 'a', term: 1, prevLogIndex: 2, prevLogTerm: 2, entries: [entry(3, 1)], commit: 3 })
    expect(a.status()).to.include({ term: 2, leaderId: 'b', lastIndex: 2 })
  })

  it('a node grants at most one vote per term', () => {
    const c = lone('c', ['a', 'b', 'c'])
    c.step(voteRequest('a', 'c', 1, 0, 0))
    c.step(voteRequest('b', 'c', 1, 0, 0))
    c.step(voteRequest('a', 'c', 1, 0, 0))
    const votes = takeMessages(c).filter(m => m.type === 'voteResponse')
    expect(votes.map(m => [m.to, m.type === 'voteResponse' && m.granted])).to.deep.equal([['a', true], ['b', false], ['a', true]])
    expect(c.status().vote).to.equal('a')
  })

  it('the vote is persisted before the vote response is sent', () => {
    const c = lone('c', ['a', 'b', 'c'])
    c.step(voteRequest('a', 'c', 1, 0, 0))
    const rd = c.ready()
    expect(rd.hardState).to.deep.include({ term: 1, vote: 'a' })
    expect(rd.messages[0]).to.include({ type: 'voteResponse', granted: true })
  })

  it('a voter refuses a candidate whose log is less up to date (§5.4.1)', () => {
    const storage = new MemoryStorage(configOf(['a', 'b', 'c']))
    storage.append([entry(1, 1), entry(2, 2)])
    storage.setHardState({ term: 2, vote: undefined, commit: 0 })
    const cases: Array<[number, number, boolean]> = [
      [1, 2, false], // same last term, shorter log
      [5, 1, false], // longer log, older last term
      [2, 2, true], // identical
      [3, 2, true], // same term, longer
      [1, 3, true] // newer last term
    ]
    for (const [lastIndex, lastTerm, granted] of cases) {
      const c = lone('c', ['a', 'b', 'c'], {}, storage)
      c.step(voteRequest('a', 'c', 3, lastIndex, lastTerm))
      const response = takeMessages(c).find(m => m.type === 'voteResponse')
      expect(response && response.type === 'voteResponse' && response.granted, `${lastIndex}/${lastTerm}`).to.equal(granted)
    }
  })

  it('at most one leader is elected per term, also with random message loss', function () {
    this.timeout(20_000)
    for (let seed = 1; seed <= 40; seed++) {
      const net = Network.create(['a', 'b', 'c', 'd', 'e'], { electionTicks: 5 }, seed)
      net.dropRate = 0.3
      const leaders = new Map<number, string>()
      net.onStep = () => {
        for (const [id, n] of net.nodes) {
          const s = n.core.status()
          if (s.role !== 'leader') continue
          const known = leaders.get(s.term)
          if (known !== undefined && known !== id) throw new Error(`seed ${seed}: ${known} and ${id} both lead term ${s.term}`)
          leaders.set(s.term, id)
        }
      }
      for (let round = 0; round < 60; round++) {
        net.tickAll()
        net.deliverQueued()
      }
      expect(leaders.size, `seed ${seed}`).to.be.greaterThan(0)
    }
  })
})

describe('pre-vote (dissertation §9.6)', () => {
  it('a pre-candidate does not bump its term', () => {
    const a = lone('a', ['a', 'b', 'c'], { preVote: true })
    a.campaign()
    expect(a.status()).to.include({ role: 'preCandidate', term: 0 })
    const requests = takeMessages(a)
    expect(requests.map(m => [m.type, m.term])).to.deep.equal([['preVoteRequest', 1], ['preVoteRequest', 1]])
  })

  it('a pre-candidate that wins the pre-vote starts the real election', () => {
    const a = lone('a', ['a', 'b', 'c'], { preVote: true })
    a.campaign()
    takeMessages(a)
    a.step({ type: 'preVoteResponse', from: 'b', to: 'a', term: 1, granted: true })
    expect(a.status()).to.include({ role: 'candidate', term: 1, vote: 'a' })
    expect(takeMessages(a).map(m => m.type)).to.deep.equal(['voteRequest', 'voteRequest'])
  })

  it('a voter that hears from a live leader refuses a pre-vote', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    const b = net.core('b')
    b.step(voteRequest('c', 'b', 2, 10, 1, true))
    expect(takeMessages(b).filter(m => m.type === 'preVoteResponse' && m.granted)).to.have.length(0)
    expect(b.status()).to.include({ term: 1, leaderId: 'a' })
  })

  it('a partitioned node does not disrupt the cluster when it rejoins', () => {
    const net = Network.create(['a', 'b', 'c'], { electionTicks: 5 })
    net.elect('a')
    net.isolate('c')
    // c times out many times over while the others keep their leader.
    net.run(60)
    expect(net.core('c').status().term).to.equal(1)
    net.heal()
    net.run(10)
    expect(net.core('a').status()).to.include({ role: 'leader', term: 1 })
    expect(net.core('c').status()).to.include({ term: 1, leaderId: 'a' })
  })

  it('without pre-vote the same rejoin deposes the leader', () => {
    const net = Network.create(['a', 'b', 'c'], { electionTicks: 5, preVote: false, checkQuorum: false })
    net.elect('a')
    net.isolate('c')
    net.run(60)
    expect(net.core('c').status().term).to.be.greaterThan(1)
    net.heal()
    net.run(10)
    expect(net.core('a').status().term).to.be.greaterThan(1)
  })
})

describe('leader lease (dissertation §4.2.3)', () => {
  it('a voter that hears from a live leader ignores a vote request of a higher term', () => {
    const net = Network.create(['a', 'b', 'c'], { preVote: false })
    net.elect('a')
    const b = net.core('b')
    b.step(voteRequest('c', 'b', 5, 10, 1))
    expect(takeMessages(b).filter(m => m.type === 'voteResponse')).to.have.length(0)
    expect(b.status()).to.include({ term: 1, leaderId: 'a' })
  })

  it('a vote request for a leadership transfer is answered despite the lease', () => {
    const net = Network.create(['a', 'b', 'c'], { preVote: false })
    net.elect('a')
    const b = net.core('b')
    b.step({ ...voteRequest('c', 'b', 5, 10, 1), leadershipTransfer: true })
    expect(takeMessages(b).find(m => m.type === 'voteResponse')).to.include({ granted: true, term: 5 })
  })

  it('once the election timeout passes without the leader, the voter grants the vote', () => {
    const net = Network.create(['a', 'b', 'c'], { preVote: false, electionTicks: 5 })
    net.elect('a')
    net.isolate('b')
    for (let i = 0; i < 5; i++) net.core('b').tick()
    const b = net.core('b')
    takeMessages(b)
    b.step(voteRequest('c', 'b', 5, 10, 1))
    expect(takeMessages(b).find(m => m.type === 'voteResponse')).to.include({ granted: true, term: 5 })
  })
})

describe('check-quorum', () => {
  it('a node answers a stale leader\'s heartbeat with its newer term, and the stale leader steps down', () => {
    const b = new RaftCore({ id: 'b', storage: storageWithLog(['a', 'b', 'c'], [1], 3), random: new SeededRandom(1) })
    b.step({ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 0, readSeq: 0 })
    const answer = b.ready().messages[0]
    expect(answer).to.include({ type: 'appendEntriesResponse', to: 'a', term: 3 })
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.core('a').step(answer as Message)
    expect(net.core('a').status()).to.include({ role: 'follower', term: 3 })
  })

  it('a leader that cannot hear from a majority steps down within two election timeouts', () => {
    const net = Network.create(['a', 'b', 'c'], { electionTicks: 5 })
    net.elect('a')
    net.isolate('a')
    for (let i = 0; i < 10; i++) net.tick('a')
    expect(net.core('a').status()).to.include({ role: 'follower', leaderId: undefined })
  })

  it('a leader that hears from a majority stays leader', () => {
    const net = Network.create(['a', 'b', 'c'], { electionTicks: 5 })
    net.elect('a')
    net.isolate('c')
    net.run(30)
    expect(net.core('a').status().role).to.equal('leader')
  })

  it('the majority side elects a new leader after the old one is cut off', () => {
    const net = Network.create(['a', 'b', 'c'], { electionTicks: 5 })
    net.elect('a')
    net.isolate('a')
    net.run(40)
    const leader = net.leader()
    expect(leader).to.be.oneOf(['b', 'c'])
    expect(net.core('a').status().role).to.not.equal('leader')
  })
})
