import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import type { Cluster, ClusterEvent, ClusterEvents } from '../../src/index.js'
import { TestNodes, waitForAgreement } from './helpers.js'

describe('Cluster reshard:done', function () {
  this.timeout(60_000)
  const t = new TestNodes()

  afterEach(async () => { await t.cleanup() })

  it('the leader reports each map it committed with the time from proposal to commit; followers and the management stream do not', async () => {
    const done = new Map<string, Array<ClusterEvents['reshard:done']>>()
    const watch = (n: Cluster): void => {
      done.set(n.nodeId, [])
      n.addEventListener('reshard:done', e => { done.get(n.nodeId)?.push(e.detail) })
    }
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 2 })
    watch(a)
    await a.start()
    const b = await t.create({ nodeId: 'b', bootstrapExpect: 2, join: [a.swimAddress()] })
    watch(b)
    await b.start()
    await waitForAgreement([a, b], ['a', 'b'])
    const leader = [a, b].find(n => n.role === 'Leader') as Cluster
    const follower = [a, b].find(n => n !== leader) as Cluster

    const controller = new AbortController()
    const streamed: ClusterEvent[] = []
    const reading = (async () => {
      for await (const e of leader.managementSource.events({ signal: controller.signal })) streamed.push(e)
    })().catch(() => {})
    const c = await t.create({ nodeId: 'c', join: [a.swimAddress()] })
    await c.start()
    const version = await waitForAgreement([a, b, c], ['a', 'b', 'c'])
    const last = await waitFor(() => done.get(leader.nodeId)?.find(d => d.version === version), { timeoutMs: 5_000, what: 'the leader\'s reshard:done' })
    await waitFor(() => streamed.some(e => e.type === 'shards:change' && e.mapVersion === version), { timeoutMs: 5_000, what: 'the streamed shards:change' })
    controller.abort()
    await reading

    expect(last.nodes).to.equal(3)
    expect(last.ackedMs).to.be.at.least(0)
    expect(last.durationMs).to.be.at.least(last.ackedMs)
    expect(done.get(follower.nodeId)).to.deep.equal([])
    expect(done.get(leader.nodeId)?.every(d => d.version <= version && d.durationMs >= d.ackedMs)).to.equal(true)
    expect(streamed.map(e => e.type)).to.not.include('reshard:done')
  })

  it('every node, the new leader included, records how long it took from the open proposal to serving the map', async () => {
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 3 })
    await a.start()
    const others = await Promise.all(['b', 'c'].map(async nodeId => await t.create({ nodeId, bootstrapExpect: 3, join: [a.swimAddress()] })))
    await Promise.all(others.map(async n => { await n.start() }))
    const nodes = [a, ...others]
    await waitForAgreement(nodes, ['a', 'b', 'c'])
    // A new leader has no lease yet when it proposes the first map, so it shows Voting, never Resharding, on the way to Operational.
    for (const node of nodes) {
      const histogram = node.metrics.registry.getSingleMetric('clusterfunk_cluster_reshard_duration_seconds')
      const values = histogram === undefined ? [] : (await histogram.get()).values
      const count = values.find(v => (v as { metricName?: string }).metricName === 'clusterfunk_cluster_reshard_duration_seconds_count')?.value
      expect(count, `${node.nodeId} (${node.role})`).to.be.at.least(1)
    }
  })
})
