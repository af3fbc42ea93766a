import { expect } from 'chai'
import { InvalidConfigError } from '@clusterfunk/core'
import { ShardCoordinator, type ClusterCommand } from '../../src/index.js'

const weights = (...ids: string[]): Map<string, number> => new Map(ids.map(id => [id, 1]))

function only (out: { append: ClusterCommand[] }): ClusterCommand {
  const [command] = out.append
  if (command === undefined || out.append.length !== 1) throw new Error(`expected one command, got ${out.append.length}`)
  return command
}

/** Leader `a` with a 150 ms lease, map 1 of a, b, c committed, then c taken out of the candidates at t=10: proposal 2 is open. */
function leaderDroppingC (leaseMs = 150): { leader: ShardCoordinator, first: ClusterCommand, proposal: ClusterCommand } {
  const leader = new ShardCoordinator({ nodeId: 'a', shardCount: 12, leaseMs })
  leader.setCandidates(0, weights('a', 'b', 'c'))
  leader.becomeLeader(0)
  const first = only(leader.drain())
  leader.apply(1, first)
  leader.receiveAck(2, 'b', 1)
  leader.receiveAck(2, 'c', 1)
  leader.apply(3, only(leader.drain()))
  leader.setCandidates(10, weights('a', 'b'))
  const proposal = only(leader.drain())
  return { leader, first, proposal }
}

describe('ShardCoordinator leases: a map that leaves out a serving node', () => {
  it('is committed only once the lease of the node left out has run out after the leader applied the proposal', () => {
    const { leader, proposal } = leaderDroppingC()
    expect(proposal).to.include({ type: 'propose', version: 2 })
    leader.apply(20, proposal)
    leader.receiveAck(21, 'b', 2)
    let out = leader.drain()
    // c may still be serving map 1 on a lease it renewed just before the leader applied proposal 2.
    expect(out.append).to.deep.equal([])
    expect(out.nextTickAt).to.equal(170)
    leader.tick(169)
    expect(leader.drain().append).to.deep.equal([])
    leader.tick(170)
    out = leader.drain()
    expect(out.append).to.deep.equal([{ type: 'commit', version: 2 }])
    expect(leader.counters.ackTimeouts).to.equal(0)
  })

  it('is committed at once when the node left out acked the proposal: it applied it, so it stopped serving', () => {
    const { leader, proposal } = leaderDroppingC()
    leader.apply(20, proposal)
    leader.receiveAck(21, 'b', 2)
    leader.receiveAck(22, 'c', 2)
    expect(leader.drain().append).to.deep.equal([{ type: 'commit', version: 2 }])
    expect(leader.counters.staleAcks).to.equal(0)
  })

  it('waits for the leases past the ack deadline without leaving anyone out', () => {
    const { leader, proposal } = leaderDroppingC(1_000)
    leader.apply(20, proposal)
    leader.receiveAck(21, 'b', 2)
    leader.tick(600)
    expect(leader.drain().append).to.deep.equal([])
    expect(leader.counters.ackTimeouts).to.equal(0)
    leader.tick(1_020)
    expect(leader.drain().append).to.deep.equal([{ type: 'commit', version: 2 }])
  })

  it('a node of the committed map that a proposal leaves out owes its ack, and stops serving until the commit', () => {
    const { first, proposal } = leaderDroppingC()
    const c = new ShardCoordinator({ nodeId: 'c', shardCount: 12 })
    c.setLeaderContact(0, true)
    c.apply(1, first)
    c.apply(3, { type: 'commit', version: 1 })
    expect(c.state).to.equal('Operational')
    c.drain()
    c.apply(20, proposal)
    expect(c.drain().acks).to.deep.equal([2])
    expect(c.state).to.equal('Resharding')
    c.apply(30, { type: 'commit', version: 2 })
    expect(c.state).to.equal('Joining')
  })

  it('without a lease (0, the default) a map is committed as soon as every node in it acked', () => {
    const { leader, proposal } = leaderDroppingC(0)
    leader.apply(20, proposal)
    leader.receiveAck(21, 'b', 2)
    expect(leader.drain().append).to.deep.equal([{ type: 'commit', version: 2 }])
  })

  it('refuses a negative or endless lease', () => {
    expect(() => new ShardCoordinator({ nodeId: 'a', leaseMs: -1 })).to.throw(InvalidConfigError, /leaseMs/)
    expect(() => new ShardCoordinator({ nodeId: 'a', leaseMs: Infinity })).to.throw(InvalidConfigError, /leaseMs/)
  })
})
