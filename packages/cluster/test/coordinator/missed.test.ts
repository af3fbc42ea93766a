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
