import { expect } from 'chai'
import Bonjour from 'bonjour-service'
import { MemoryMetrics } from '@clusterfunk/core'
import { browsePeers } from '@clusterfunk/management'
import { Zeroconf, discoverPeers, type ZeroconfInit } from '../../src/index.js'
import { MemoryMulticastNetwork } from '../../src/testing.js'

/**
 * funkctl browses with management's `browsePeers` (multicast-dns only), nodes publish with
 * `Zeroconf` (bonjour-service): the two must agree on every record, as `discoverPeers` did.
 */
describe('browsePeers against a publishing Zeroconf', () => {
  let network: MemoryMulticastNetwork
  let started: Array<{ stop: () => Promise<void> }>

  beforeEach(() => {
    network = new MemoryMulticastNetwork()
    started = []
  })

  afterEach(async () => {
    for (const s of started) await s.stop()
  })

  async function node (nodeId: string, address: string, init: Partial<ZeroconfInit> = {}): Promise<Zeroconf> {
    const z = new Zeroconf({ createSocket: () => network.createSocket(address) }, {
      clusterName: 'orders', nodeId, records: { swim: 7946, mgmt: 9090 }, host: `${nodeId}.local`, addresses: [address], ...init
    })
    started.push(z)
    await z.start()
    return z
  }

  it('finds the same records as discoverPeers, skips another cluster\'s, and closes its socket', async () => {
    await node('node-a', '10.0.0.1')
    await node('node-b', '10.0.0.2', { records: { swim: 7000 } })
    await node('node-x', '10.0.0.9', { clusterName: 'billing', records: { swim: 7000 } })
    const metrics = new MemoryMetrics()
    const browsed = await browsePeers({ createSocket: () => network.createSocket('10.0.0.7'), metrics }, { clusterName: 'orders' }, { timeoutMs: 300 })
    const discovered = await discoverPeers({ createSocket: () => network.createSocket('10.0.0.8') }, { clusterName: 'orders' }, { timeoutMs: 300 })
    const byInstance = (a: { instance: string }, b: { instance: string }): number => a.instance < b.instance ? -1 : 1
    expect(browsed.map(p => p.instance).sort()).to.deep.equal(['orders_mgmt_node-a', 'orders_swim_node-a', 'orders_swim_node-b'])
    expect([...browsed].sort(byInstance)).to.deep.equal([...discovered].sort(byInstance))
    expect(browsed.find(p => p.instance === 'orders_mgmt_node-a')).to.deep.include({ nodeId: 'node-a', kind: 'mgmt', port: 9090, host: 'node-a.local', addresses: ['10.0.0.1'] })
    expect(metrics.get('clusterfunk_management_zeroconf_ignored_records_total', { reason: 'foreign' })).to.be.greaterThan(0)
    expect(network.openSockets).to.equal(3)
  })

  it('drops and counts malformed records without failing, and no longer finds a node that stopped', async () => {
    const raw = new Bonjour({ socket: network.createSocket('10.0.0.5') } as unknown as ConstructorParameters<typeof Bonjour>[0])
    started.push({ stop: async () => { await new Promise<void>(resolve => { raw.unpublishAll(() => { raw.destroy(() => { resolve() }) }) }) } })
    const base = { type: 'clusterfunk', protocol: 'udp' as const, host: 'bad.local' }
    raw.publish({ ...base, name: 'no-underscores-here', port: 1000, txt: { v: '1' } })
    raw.publish({ ...base, name: 'orders_swim_node-z', port: 1001, txt: { v: '1', cluster: 'orders', node: 'node-z', kind: 'swim', port: 'x', ports: 'swim:1001', proto: '1' } })
    raw.publish({ ...base, name: 'orders_swim_node-w', port: 1003, txt: { v: '9', cluster: 'orders' } })
    raw.publish({ ...base, name: 'orders_swim_node-v', port: 1004, txt: { v: '1', cluster: 'orders', node: 'node-v', kind: 'swim', port: '1004', ports: 'swim:1004', proto: '1' } })
    const b = await node('node-b', '10.0.0.2', { records: { swim: 7000 } })
    const metrics = new MemoryMetrics()
    const browse = async (): Promise<string[]> => (await browsePeers({ createSocket: () => network.createSocket('10.0.0.7'), metrics }, { clusterName: 'orders' }, { timeoutMs: 300 })).map(p => p.nodeId).sort()
    expect(await browse()).to.deep.equal(['node-b', 'node-v'])
    expect(metrics.get('clusterfunk_management_zeroconf_ignored_records_total', { reason: 'malformed' })).to.be.greaterThan(0)
    expect(metrics.get('clusterfunk_management_zeroconf_ignored_records_total', { reason: 'version' })).to.be.greaterThan(0)
    await b.stop()
    expect(await browse()).to.deep.equal(['node-v'])
  })
})
