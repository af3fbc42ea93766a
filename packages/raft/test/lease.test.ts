import { expect } from 'chai'
import { InvalidConfigError, SeededRandom } from '@clusterfunk/core'
import { MemoryStorage, RaftCore, leaseTicksFor, resolveRaftInit, type NodeId } from '../src/index.js'
import { Network, configOf } from './helpers/network.js'

const T = 10
const LEASE = leaseTicksFor(T)

/** Three voters in 'lease' mode, ticked until one leads and has committed its no-op (voters refuse votes for T ticks after start). */
function leaseNetwork (): { net: Network, leader: NodeId } {
  const net = Network.create(['a', 'b', 'c'], { readOnly: 'lease', electionTicks: T })
  for (let i = 0; i < 5 * T && net.leader() === undefined; i++) net.run(1)
  const leader = net.leader()
  if (leader === undefined) throw new Error('no leader elected')
  net.stabilize()
  return { net, leader }
}

/** Whether a read on `id` is answered at once, with no heartbeat round (served from the lease). */
function servedFromLease (net: Network, id: NodeId, requestId: string): boolean {
  net.queue = []
  expect(net.core(id).readIndex(requestId).ok).to.equal(true)
  net.processReady(id)
  const answered = net.node(id).readStates.some(r => r.requestId === requestId)
  const heartbeats = net.queue.filter(m => m.type === 'heartbeat').length
  net.queue = []
  return answered && heartbeats === 0
}

describe('lease-based reads in the core (readOnly: \'lease\')', () => {
  describe('holding the lease', () => {
    it('a leader whose heartbeat round a quorum answered serves a read at its commit index with no message', () => {
      const { net, leader } = leaseNetwork()
      net.propose(leader, 'x')
      net.tick(leader)
      net.stabilize()
      expect(net.core(leader).status().leaseReadable).to.equal(true)
      expect(servedFromLease(net, leader, 'r1')).to.equal(true)
      expect(net.node(leader).readStates.at(-1)).to.deep.equal({ requestId: 'r1', index: net.core(leader).status().commit })
    })

    it('a follower\'s read is answered by the leader from its lease', () => {
      const { net, leader } = leaseNetwork()
      net.tick(leader)
      net.stabilize()
      const follower = ['a', 'b', 'c'].find(id => id !== leader) as NodeId
      net.queue = []
      net.core(follower).readIndex('f1')
      net.processReady(follower)
      net.stabilize()
      expect(net.node(follower).readStates.map(r => r.requestId)).to.deep.equal(['f1'])
    })

    it('in safe mode every read waits for a heartbeat round', () => {
      const net = Network.create(['a', 'b', 'c'])
      net.elect('a')
      net.tick('a')
      net.stabilize()
      expect(net.core('a').status().leaseReadable).to.equal(false)
      expect(servedFromLease(net, 'a', 'r1')).to.equal(false)
    })

    it('with lease: false a read takes a heartbeat round even while the lease holds', () => {
      const { net, leader } = leaseNetwork()
      net.tick(leader)
      net.stabilize()
      net.queue = []
      net.core(leader).readIndex('r1', { lease: false })
      net.processReady(leader)
      expect(net.node(leader).readStates).to.deep.equal([])
      expect(net.queue.some(m => m.type === 'heartbeat')).to.equal(true)
    })
  })

  describe('how long it lasts', () => {
    it('the lease ends electionTicks less the margin after the answered round was SENT, however late the answers came', () => {
      const { net, leader } = leaseNetwork()
      net.queue = []
      const sentAt = net.core(leader).status().ticks + 1
      net.tick(leader)                                        // sends a round at `sentAt`
      const round = net.queue
      net.queue = []
      net.isolate(leader)                                     // later rounds reach nobody
      net.tick(leader, 4)
      net.queue = []
      net.heal()
      for (const m of round) net.deliver(m)                   // the answers arrive 4 ticks late
      net.isolate(leader)
      net.stabilize()
      expect(net.core(leader).status().leaseExpiresAt).to.equal(sentAt + LEASE)
      while (net.core(leader).status().ticks < sentAt + LEASE - 1) net.tick(leader)
      expect(servedFromLease(net, leader, 'last')).to.equal(true)
      net.tick(leader)
      expect(net.core(leader).status().ticks).to.equal(sentAt + LEASE)
      expect(servedFromLease(net, leader, 'late')).to.equal(false)
    })

    it('the margin leaves one tick of phase and a tenth of the election timeout for drift', () => {
      expect(leaseTicksFor(10)).to.equal(8)
      expect(leaseTicksFor(15)).to.equal(12)
      expect(leaseTicksFor(100)).to.equal(89)
    })

    it('a leader cut off from every voter stops serving from its lease before any voter would vote for another', () => {
      const { net, leader } = leaseNetwork()
      net.tick(leader)
      net.stabilize()
      net.isolate(leader)
      let lastServed = 0
      for (let i = 1; i <= T; i++) {
        net.tick(leader)
        if (servedFromLease(net, leader, `r${i}`)) lastServed = i
      }
      expect(lastServed).to.be.above(0).and.below(T - 1)
    })
  })

  describe('when it is refused', () => {
    it('lease mode without check-quorum is an InvalidConfigError, and so is an election timeout too short for a lease', () => {
      const storage = new MemoryStorage(configOf(['a']))
      const random = new SeededRandom(1)
      expect(() => new RaftCore({ id: 'a', storage, random, readOnly: 'lease', checkQuorum: false })).to.throw(InvalidConfigError, /checkQuorum/)
      expect(() => new RaftCore({ id: 'a', storage, random, readOnly: 'lease', electionTicks: 2 })).to.throw(InvalidConfigError)
      expect(() => new RaftCore({ id: 'a', storage, random, readOnly: 'eventual' as 'safe' })).to.throw(InvalidConfigError)
      expect(() => resolveRaftInit({ id: 'a', readOnly: 'lease', checkQuorum: false })).to.throw(InvalidConfigError, /checkQuorum/)
    })

    it('no read is served from the lease while a leadership transfer is in progress, nor after TimeoutNow went out', () => {
      const { net, leader } = leaseNetwork()
      const [target, other] = ['a', 'b', 'c'].filter(id => id !== leader) as [NodeId, NodeId]
      net.tick(leader)
      net.stabilize()
      expect(net.core(leader).status().leaseReadable).to.equal(true)
      net.disconnect(leader, target)
      net.propose(leader, 'y')                                // the target lags: the transfer waits for it
      expect(net.core(leader).transferLeadership(target).ok).to.equal(true)
      expect(servedFromLease(net, leader, 'during')).to.equal(false)
      net.heal()
      net.dropTypes.add('timeoutNow')                         // the target never campaigns
      net.tick(leader)
      net.stabilize()
      const s = net.core(leader).status()
      expect(s.progress.get(target)?.match, 'the target caught up, so TimeoutNow went out (and was lost)').to.equal(s.lastIndex)
      expect(servedFromLease(net, leader, 'sent')).to.equal(false)
      net.run(T)                                              // the leader gives the transfer up after an election timeout
      expect(net.core(leader).status()).to.include({ role: 'leader', leadTransferee: undefined })
      expect(net.core(other).status().leaderId).to.equal(leader)
      expect(servedFromLease(net, leader, 'after')).to.equal(false)
    })

    it('a new leader serves no read from its lease before it committed an entry of its own term', () => {
      const net = Network.create(['a', 'b', 'c'], { readOnly: 'lease', electionTicks: T })
      net.dropTypes.add('appendEntries')
      for (let i = 0; i < 5 * T && net.leader() === undefined; i++) net.run(1)
      const leader = net.leader() as NodeId
      net.tick(leader)
      net.stabilize()
      expect(net.core(leader).status().leaseExpiresAt).to.be.above(net.core(leader).status().ticks, 'the heartbeats were answered')
      expect(servedFromLease(net, leader, 'early')).to.equal(false)
      net.dropTypes.clear()
      net.tick(leader)
      net.stabilize()
      expect(net.node(leader).readStates.map(r => r.requestId)).to.include('early')
      expect(servedFromLease(net, leader, 'later')).to.equal(true)
    })

    it('a voter that just started refuses votes for an election timeout: it may have promised a leader its lease before it restarted', () => {
      const core = new RaftCore({ id: 'b', storage: new MemoryStorage(configOf(['a', 'b', 'c'])), random: new SeededRandom(1), readOnly: 'lease' })
      const ask = (): boolean => {
        core.step({ type: 'voteRequest', from: 'c', to: 'b', term: core.status().term + 1, lastLogIndex: 0, lastLogTerm: 0, leadershipTransfer: false })
        const rd = core.hasReady() ? core.ready() : undefined
        if (rd !== undefined) core.advance()
        return rd?.messages.some(m => m.type === 'voteResponse' && m.granted) ?? false
      }
      expect(ask()).to.equal(false)
      for (let i = 0; i < T; i++) core.tick()
      expect(ask()).to.equal(true)
    })
  })
})

describe('the Raft driver\'s tick', () => {
  it('ticks finer than the heartbeat: 10 ms by default, heartbeat and election timeout counted in ticks', () => {
    expect(resolveRaftInit({ id: 'a' })).to.include({ tickMs: 10, heartbeatTicks: 10, electionTicks: 100, readOnly: 'safe' })
    expect(resolveRaftInit({ id: 'a', preset: 'fast' })).to.include({ tickMs: 10, heartbeatTicks: 5, electionTicks: 15 })
    expect(resolveRaftInit({ id: 'a', heartbeatMs: 25, electionMs: 155 })).to.include({ tickMs: 5, heartbeatTicks: 5, electionTicks: 31 })
    expect(resolveRaftInit({ id: 'a', tickMs: 50 })).to.include({ heartbeatTicks: 2, electionTicks: 20 })
  })

  it('refuses a tick that does not divide the heartbeat or the election timeout, and an election timeout not above the heartbeat', () => {
    expect(() => resolveRaftInit({ id: 'a', tickMs: 30 })).to.throw(InvalidConfigError, /tickMs/)
    expect(() => resolveRaftInit({ id: 'a', heartbeatMs: 100, electionMs: 150, tickMs: 100 })).to.throw(InvalidConfigError, /tickMs/)
    expect(() => resolveRaftInit({ id: 'a', heartbeatMs: 100, electionMs: 100 })).to.throw(InvalidConfigError, /electionMs/)
    expect(() => resolveRaftInit({ id: 'a', tickMs: 0 })).to.throw(InvalidConfigError, /tickMs/)
  })
})
