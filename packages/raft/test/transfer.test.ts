import { expect } from 'chai'
import { bytes, Network } from './helpers/network.js'

describe('leadership transfer (dissertation §3.10)', () => {
  it('leadership moves to an up-to-date follower through TimeoutNow', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    expect(net.core('a').transferLeadership('b').ok).to.equal(true)
    net.stabilize()
    expect(net.core('b').status()).to.include({ role: 'leader', term: 2 })
    expect(net.core('a').status()).to.include({ role: 'follower', leaderId: 'b' })
    const timeoutNow = net.node('a').readies.flatMap(rd => rd.messages).filter(m => m.type === 'timeoutNow')
    expect(timeoutNow.map(m => m.to)).to.deep.equal(['b'])
  })

  it('a lagging target is caught up before it is told to campaign', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.isolate('c')
    for (let i = 0; i < 5; i++) net.propose('a', `v${i}`)
    net.heal()
    expect(net.core('a').transferLeadership('c').ok).to.equal(true)
    net.stabilize()
    net.run(2)
    expect(net.core('c').status().role).to.equal('leader')
    expect(net.appliedData('c')).to.deep.equal(['v0', 'v1', 'v2', 'v3', 'v4'])
  })

  it('proposals are refused while a transfer is in progress', () => {
    const net = Network.create(['a', 'b', 'c'])
    net.elect('a')
    net.isolate('c')
    net.propose('a', 'x')
    net.core('a').transferLeadership('c')
    const result = net.core('a').propose(bytes('y'))
    expect(result.ok).to.equal(false)
    if (!result.ok) expect(result.error.name).to.equal('LeadershipTransferInProgressError')
  })

  it('a transfer to an unreachable node is given up after an election timeout', () => {
    const net = Network.create(['a', 'b', 'c'], { electionTicks: 5 })
    net.elect('a')
    net.isolate('c')
    net.propose('a', 'x')
    net.core('a').transferLeadership('c')
    net.run(5)
    expect(net.core('a').status()).to.include({ role: 'leader', leadTransferee: undefined })
    expect(net.core('a').propose(bytes('y')).ok).to.equal(true)
  })

  it('a transfer is refused by a follower and for a non-voter', () => {
    const net = Network.create(['a', 'b'], {}, 1, ['c'])
    net.elect('a')
    const onFollower = net.core('b').transferLeadership('b')
    expect(onFollower.ok === false && onFollower.error.name).to.equal('NotLeaderError')
    const toNonVoter = net.core('a').transferLeadership('c')
    expect(toNonVoter.ok === false && toNonVoter.error.name).to.equal('InvalidArgumentError')
  })
})
