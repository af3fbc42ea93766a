import { expect } from 'chai'
import { FuzzCluster } from '../src/cluster.js'

describe('a secured cluster of kv-server processes (token, gossip key, TLS)', function () {
  this.timeout(90_000)
  let cluster: FuzzCluster | undefined
  afterEach(async () => {
    await cluster?.stop()
    cluster = undefined
  })

  it('becomes Operational on one map through every secured channel, and no node prints DEP0123', async () => {
    cluster = await FuzzCluster.start('secured', 3, 60_000)
    const statuses = await cluster.statuses()
    expect(statuses.map(s => s?.state)).to.deep.equal(['Operational', 'Operational', 'Operational'])
    expect(new Set(statuses.map(s => s?.shardMapVersion)).size).to.equal(1)
    expect(cluster.nodes.map(n => [...n.process.deprecations])).to.deep.equal([[], [], []])
  })
})
