import { expect } from 'chai'
import { InvalidArgumentError, NotLeaderError } from '@clusterfunk/core'
import { MANAGEMENT_ENDPOINT, UnknownNodeError } from '../src/index.js'
import { MemoryCluster } from '../src/testing.js'

describe('MemoryCluster', () => {
  const make = (): MemoryCluster => new MemoryCluster({ name: 'm', nodes: ['a', 'b', 'c'], shardCount: 99 })

  it('starts with the first voter leading and the shards spread evenly', async () => {
    const cluster = make()
    expect(cluster.leader()).to.equal('a')
    expect((await cluster.source('b').shards()).nodes.map(n => n.shards)).to.deep.equal([33, 33, 33])
  })

  it('moves a dead node\'s shards to the others and gives them back when it is alive again', async () => {
    const cluster = make()
    cluster.kill('c')
    expect(cluster.shardMap().countOf('c')).to.equal(0)
    expect((await cluster.source('a').status()).shardMapVersion).to.equal(2)
    cluster.revive('c')
    expect(cluster.shardMap().countOf('c')).to.equal(33)
  })

  it('a follower refuses leader-only calls with the leader\'s id and management address', async () => {
    const cluster = make()
    cluster.setEndpoint('a', MANAGEMENT_ENDPOINT, '127.0.0.1:4000')
    const err = await cluster.source('b').nodes().catch((e: unknown) => e)
    expect(err).to.be.instanceOf(NotLeaderError).and.include({ leaderId: 'a', leaderAddress: '127.0.0.1:4000' })
  })

  it('the leader refuses to remove itself or an unknown node, and a lone voter cannot step down', async () => {
    const cluster = new MemoryCluster({ name: 'm', nodes: ['a', { id: 'b', suffrage: 'NonVoter' }] })
    const a = cluster.source('a')
    expect(await a.removeNode('a').catch((e: unknown) => e)).to.be.instanceOf(InvalidArgumentError)
    expect(await a.removeNode('q').catch((e: unknown) => e)).to.be.instanceOf(UnknownNodeError)
    expect(await a.stepDown().catch((e: unknown) => e)).to.be.instanceOf(InvalidArgumentError)
    expect((await cluster.source('b').status()).role).to.equal('NonVoter')
  })

  it('a joining node is added to Raft as a voter and takes its share', async () => {
    const cluster = make()
    cluster.join('d', { endpoints: { http: 'x' } })
    expect(cluster.node('d')).to.deep.include({ suffrage: 'Voter', swim: 'Alive' })
    expect(cluster.shardMap().countOf('d')).to.be.within(24, 25)
  })
})
