import { expect } from 'chai'
import { createCluster, type Cluster } from '../../src/index.js'
import { MemoryMulticastNetwork } from '../../src/testing.js'
import { TEST_SHARDS, TestNodes, waitForAgreement } from './helpers.js'

describe('Cluster with zeroconf (in-memory multicast)', function () {
  this.timeout(60_000)
  const t = new TestNodes()
  const extra: Cluster[] = []

  afterEach(async () => {
    await Promise.all(extra.splice(0).map(async n => { await n.stop() }))
    await t.cleanup()
  })

  it('three nodes without join addresses find each other, bootstrap once and agree on a map; stop() closes the mDNS sockets', async () => {
    const network = new MemoryMulticastNetwork()
    const nodes: Cluster[] = []
    for (const id of ['a', 'b', 'c']) {
      const node = createCluster({
        name: 'zc', nodeId: id, dataDir: await t.dir(), zeroconf: true, swimPort: 0, swimPreset: 'local', shards: TEST_SHARDS, bootstrapExpect: 3
      }, { createMdnsSocket: () => network.createSocket('127.0.0.1') })
      extra.push(node)
      nodes.push(node)
    }
    await Promise.all(nodes.map(async n => { await n.start() }))
    await waitForAgreement(nodes, ['a', 'b', 'c'])
    expect(nodes.filter(n => n.bootstrapped).map(n => n.nodeId)).to.deep.equal(['a'])
    await Promise.all(extra.splice(0).map(async n => { await n.stop() }))
    expect(network.openSockets).to.equal(0)
  })
})
