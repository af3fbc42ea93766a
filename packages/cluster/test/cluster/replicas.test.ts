import { expect } from 'chai'
import { InvalidConfigError, waitFor } from '@clusterfunk/core'
import { createCluster, type Cluster, type ClusterEvents, type ClusterInit } from '../../src/index.js'
import { TEST_SHARDS, TestNodes, waitForAgreement } from './helpers.js'

describe('Cluster replicas and weights', function () {
  this.timeout(60_000)
  const t = new TestNodes()

  afterEach(async () => { await t.cleanup() })

  it('rejects a replication factor outside 1..8 and a weight outside 1..1 000 000, naming the option', async () => {
    const dataDir = await t.dir()
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ replicationFactor: 0 }, 'replicationFactor'],
      [{ replicationFactor: 9 }, 'replicationFactor'],
      [{ replicationFactor: 1.5 }, 'replicationFactor'],
      [{ weight: 0 }, 'weight'],
      [{ weight: 1_000_001 }, 'weight'],
      [{ weight: 'heavy' }, 'weight']
    ]
    for (const [init, option] of bad) {
      expect(() => createCluster({ name: 'x', dataDir, ...init } as unknown as ClusterInit), option).to.throw(InvalidConfigError).with.property('option', option)
    }
  })

  it('serves a map with R = 2 and the weights the nodes publish; shards:change names the roles gained', async () => {
    const events = new Map<string, Array<ClusterEvents['shards:change']>>()
    const watch = (n: Cluster): void => {
      events.set(n.nodeId, [])
      n.addEventListener('shards:change', e => { events.get(n.nodeId)?.push(e.detail) })
    }
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 3, replicationFactor: 2 })
    watch(a)
    await a.start()
    const b = await t.create({ nodeId: 'b', bootstrapExpect: 3, replicationFactor: 2, join: [a.swimAddress()] })
    watch(b)
    await b.start()
    const c = await t.create({ nodeId: 'c', bootstrapExpect: 3, replicationFactor: 2, weight: 2, join: [a.swimAddress()] })
    watch(c)
    await c.start()
    const nodes = [a, b, c]
    // The first map may be made before c's weight tag arrived; the leader proposes again once it has it.
    const version = await waitFor(async () => {
      const v = await waitForAgreement(nodes, ['a', 'b', 'c'])
      return a.shards.map?.nodes().find(n => n.id === 'c')?.weight === 2 ? v : false
    }, { timeoutMs: 30_000, what: 'a map with c at weight 2' })
    const map = a.shards.map
    if (map === undefined) throw new Error('no map')
    expect(map.replicationFactor).to.equal(2)
    expect(a.shards.replicationFactor).to.equal(2)
    expect(map.nodes().map(n => [n.id, n.shards])).to.deep.equal([['a', 256], ['b', 256], ['c', 512]])
    for (let s = 0; s < TEST_SHARDS; s += 97) {
      const owners = b.shards.ownersOf(s)
      expect(owners).to.have.length(2)
      expect(owners[0]).to.equal(b.shards.ownerOf(s))
      expect(b.shards.replicasOf(s)).to.deep.equal([owners[1]])
      expect(new Set(owners).size).to.equal(2)
    }
    // Each node's reported changes add up to what it holds in the map it serves, per role.
    for (const n of nodes) {
      await waitFor(() => events.get(n.nodeId)?.at(-1)?.version === version, { timeoutMs: 10_000, what: `${n.nodeId}'s shards:change for version ${version}` })
      const primaries = new Set<number>()
      const replicas = new Set<number>()
      for (const e of events.get(n.nodeId) ?? []) {
        for (const s of e.lost) primaries.delete(s)
        for (const s of e.gained) primaries.add(s)
        for (const s of e.replicaLost) replicas.delete(s)
        for (const s of e.replicaGained) replicas.add(s)
      }
      expect([...primaries].sort((x, y) => x - y)).to.deep.equal(n.shards.shardsOf(n.nodeId))
      expect([...replicas].sort((x, y) => x - y)).to.deep.equal(n.shards.shardsOf(n.nodeId, { role: 'replica' }))
      expect(replicas.size).to.be.greaterThan(0)
    }
    // The management API (funkctl shards) reports the replicas too.
    const summary = await a.managementSource.shards()
    expect(summary.replicationFactor).to.equal(2)
    expect(summary.nodes.map(n => [n.nodeId, n.shards, n.replicas])).to.deep.equal(
      nodes.map(n => [n.nodeId, map.countOf(n.nodeId), map.countOf(n.nodeId, { role: 'replica' })]).sort())
    expect(summary.nodes.reduce((sum, n) => sum + n.replicas, 0)).to.equal(TEST_SHARDS)
  })
})
