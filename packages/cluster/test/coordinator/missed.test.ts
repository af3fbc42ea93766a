import { expect } from 'chai'
import { ShardCoordinator } from '../../src/index.js'

describe('ShardCoordinator: nodes that missed their ack', () => {
  it('are named once, in the output of the tick that leaves them out, so the driver can help them reach the leader', () => {
    const leader = new ShardCoordinator({ nodeId: 'a', shardCount: 12 })
    leader.setCandidates(0, new Map([['a', 1], ['b', 1], ['c', 1]]))
    leader.becomeLeader(0)
    const [proposal] = leader.drain().append
    if (proposal === undefined) throw new Error('expected a proposal')
    leader.apply(1, proposal)
    leader.receiveAck(2, 'b', 1)
    expect(leader.drain().missed).to.deep.equal([])
    leader.tick(500)
    expect(leader.drain().missed).to.deep.equal(['c'])
    leader.tick(600)
    expect(leader.drain().missed).to.deep.equal([])
  })
})

describe('ShardCoordinator: a leader that was itself stalled', () => {
  function openRound (): ShardCoordinator {
    const leader = new ShardCoordinator({ nodeId: 'a', shardCount: 12, ackTimeoutMs: 500 })
    leader.setCandidates(0, new Map([['a', 1], ['b', 1], ['c', 1]]))
    leader.becomeLeader(0)
    const [proposal] = leader.drain().append
    if (proposal === undefined) throw new Error('expected a proposal')
    leader.apply(1, proposal)
    leader.receiveAck(2, 'b', 1)
    leader.drain()
    return leader
  }

  it('waits its own stall out once before it leaves out a node that did not ack, and tells the driver when to look again', () => {
    const leader = openRound()
    // The process was kept from running for 800 ms: c's ack may be waiting on the socket, unread.
    leader.tick(500, 800)
    const out = leader.drain()
    expect(out.missed).to.deep.equal([])
    expect(out.nextTickAt).to.equal(1_300)
    leader.receiveAck(900, 'c', 1)
    expect(leader.drain().append).to.deep.equal([{ type: 'commit', version: 1 }])
  })

  it('moves the deadline only once a round, and by at most seven ack timeouts', () => {
    const leader = openRound()
    leader.tick(500, 60_000)
    expect(leader.drain().nextTickAt).to.equal(500 + 7 * 500)
    leader.tick(4_000, 60_000)
    expect(leader.drain().missed).to.deep.equal(['c'])
  })

  it('leaves out at the deadline as before when it kept to time', () => {
    const leader = openRound()
    leader.tick(500, 0)
    expect(leader.drain().missed).to.deep.equal(['c'])
  })
})
