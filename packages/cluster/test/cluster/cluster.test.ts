import { expect } from 'chai'
import { InvalidConfigError, waitFor } from '@clusterfunk/core'
import { createCluster, type Cluster, type ClusterInit } from '../../src/index.js'
import { TestNodes, ownersAgree, waitForAgreement } from './helpers.js'

describe('Cluster', function () {
  this.timeout(60_000)
  const t = new TestNodes()

  afterEach(async () => { await t.cleanup() })

  /** Starts `a` (the seed), then the others at once, each joining `a` by address. */
  async function startThree (): Promise<Cluster[]> {
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 3 })
    await a.start()
    const others = await Promise.all(['b', 'c'].map(async id => await t.create({ nodeId: id, bootstrapExpect: 3, join: [a.swimAddress()] })))
    await Promise.all(others.map(async n => { await n.start() }))
    return [a, ...others]
  }

  it('three nodes with bootstrapExpect 3 reach Operational with one committed map and one bootstrap', async () => {
    const nodes = await startThree()
    const version = await waitForAgreement(nodes, ['a', 'b', 'c'])
    expect(version).to.be.greaterThan(0)
    expect(ownersAgree(nodes, ['a', 'b', 'c'])).to.equal(true)
    for (const n of nodes) {
      expect(n.leader()).to.equal(nodes[0]?.leader())
      expect(n.shards.shardsOf(n.nodeId).length).to.be.within(341, 342)
    }
    expect(nodes.filter(n => n.bootstrapped).map(n => n.nodeId)).to.deep.equal(['a'])
    const leaders = nodes.filter(n => n.role === 'Leader')
    expect(leaders).to.have.length(1)
    expect(nodes.filter(n => n.role === 'Follower')).to.have.length(2)
  })

  it('a fourth node that joins gets a committed map including it on every node', async () => {
    const nodes = await startThree()
    await waitForAgreement(nodes, ['a', 'b', 'c'])
    const d = await t.create({ nodeId: 'd', join: [nodes[1]?.swimAddress() ?? ''] })
    await d.start()
    const all = [...nodes, d]
    await waitForAgreement(all, ['a', 'b', 'c', 'd'])
    expect(ownersAgree(all, ['a', 'b', 'c', 'd'])).to.equal(true)
    expect(d.bootstrapped).to.equal(false)
    expect(d.role).to.be.oneOf(['Follower', 'NonVoter'])
    expect(d.shards.shardsOf('d')).to.have.length(256)
  })

  it('a node that stops gracefully is left out of the next committed map', async () => {
    const nodes = await startThree()
    const d = await t.create({ nodeId: 'd', join: [nodes[0]?.swimAddress() ?? ''] })
    await d.start()
    const all = [...nodes, d]
    await waitForAgreement(all, ['a', 'b', 'c', 'd'])
    const leaving = all.find(n => n.role !== 'Leader') as Cluster
    const rest = all.filter(n => n !== leaving)
    const left = leaving.nodeId
    await leaving.stop()
    expect(leaving.state).to.equal('Stopping')
    const stay = rest.map(n => n.nodeId)
    await waitForAgreement(rest, stay)
    expect(ownersAgree(rest, stay)).to.equal(true)
    for (const n of rest) expect(n.shards.shardsOf(left)).to.deep.equal([])
    // The leader also takes the node that left out of the Raft group.
    await waitFor(() => rest.every(n => n.nodes().find(x => x.id === left)?.suffrage === 'None'), { timeoutMs: 10_000, what: 'the node removed from Raft' })
  })

  it('when the leader stops gracefully another node leads and commits a map without it', async () => {
    const nodes = await startThree()
    await waitForAgreement(nodes, ['a', 'b', 'c'])
    const leader = nodes.find(n => n.role === 'Leader') as Cluster
    const rest = nodes.filter(n => n !== leader)
    const states: string[] = []
    for (const n of rest) n.addEventListener('state:change', e => { states.push(e.detail.state) })
    await leader.stop()
    const stay = rest.map(n => n.nodeId)
    await waitForAgreement(rest, stay)
    expect(rest.filter(n => n.role === 'Leader')).to.have.length(1)
    expect(ownersAgree(rest, stay)).to.equal(true)
    expect(states).to.include('Resharding')
    expect(states.at(-1)).to.equal('Operational')
  })

  it('rejects bad options with InvalidConfigError naming the option', async () => {
    const dataDir = await t.dir()
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ name: '', dataDir }, 'name'],
      [{ name: 'x' }, 'dataDir'],
      [{ name: 'x', dataDir, host: 'localhost' }, 'host'],
      [{ name: 'x', dataDir, swimPort: 70_000 }, 'swimPort'],
      [{ name: 'x', dataDir, bootstrapExpect: 0 }, 'bootstrapExpect'],
      [{ name: 'x', dataDir, maxVoters: 0 }, 'maxVoters'],
      [{ name: 'x', dataDir, join: ['nope'] }, 'join'],
      [{ name: 'x', dataDir, token: 'short' }, 'token'],
      [{ name: 'x', dataDir, host: '10.0.0.1', token: 'long enough token' }, 'insecure']
    ]
    for (const [init, option] of bad) {
      expect(() => createCluster(init as unknown as ClusterInit), option).to.throw(InvalidConfigError).with.property('option', option)
    }
  })
})
