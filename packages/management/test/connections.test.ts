import { expect } from 'chai'
import { connect, type Socket } from 'node:net'
import { MemoryMetrics, waitFor } from '@clusterfunk/core'
import { ManagementClient, ManagementServer } from '../src/index.js'
import { MemoryCluster } from '../src/testing.js'

/** Opens `count` TCP connections to `port` from 127.0.0.2 that never send a byte; resolves once each connected or closed. */
async function idleConnections (port: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = []
  for (let batch = 0; batch < count; batch += 200) {
    await Promise.all(Array.from({ length: Math.min(200, count - batch) }, async () => await new Promise<void>(resolve => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' })
      sockets.push(socket)
      socket.on('error', () => { resolve() })
      socket.on('close', () => { resolve() })
      socket.on('connect', () => { resolve() })
    })))
  }
  return sockets
}

// 20 200 idle connections exhausted a leader's file
// descriptors and its management API was unreachable for ~55 s.
describe('ManagementServer connection bounds', function () {
  this.timeout(60_000)
  let server: ManagementServer
  let sockets: Socket[] = []
  let client: ManagementClient | undefined

  afterEach(async () => {
    for (const s of sockets) s.destroy()
    sockets = []
    client?.close()
    await server.stop()
  })

  const open = (metrics: MemoryMetrics): number => metrics.get('clusterfunk_cluster_management_connections_open')

  it('2 000 idle connections from one address hold at most its cap, and the management API still answers others at once', async () => {
    const metrics = new MemoryMetrics()
    const cluster = new MemoryCluster({ name: 'orders', shardCount: 10, nodes: ['a'] })
    server = new ManagementServer({ source: cluster.source('a'), metrics }, { connections: { maxConnections: 64, maxConnectionsPerAddress: 32 } })
    await server.start()
    sockets = await idleConnections(server.address().port, 2_000)
    // Connections still in the kernel's accept queue are refused as the server reaches them.
    await waitFor(() => metrics.get('clusterfunk_cluster_management_connections_refused_total', { reason: 'perAddress' }) === 2_000 - 32,
      { timeoutMs: 20_000, what: 'every connection past the cap to be refused' })
    expect(open(metrics)).to.equal(32)
    client = new ManagementClient({ address: server.endpoint(), timeoutMs: 5_000 })
    expect((await client.status()).nodeId).to.equal('a')
    expect(open(metrics)).to.be.at.most(33)
  })

  it('idle connections are closed after the idle timeout, freeing their slots', async () => {
    const metrics = new MemoryMetrics()
    const cluster = new MemoryCluster({ name: 'orders', shardCount: 10, nodes: ['a'] })
    server = new ManagementServer({ source: cluster.source('a'), metrics }, { connections: { maxConnections: 16, idleTimeoutMs: 300 } })
    await server.start()
    sockets = await idleConnections(server.address().port, 200)
    expect(open(metrics)).to.be.at.most(16)
    await waitFor(() => open(metrics) === 0, { timeoutMs: 10_000, what: 'idle connections to be closed' })
    client = new ManagementClient({ address: server.endpoint(), timeoutMs: 5_000 })
    expect((await client.status()).nodeId).to.equal('a')
  })

  it('rejects connection limits that are not positive whole numbers', () => {
    const cluster = new MemoryCluster({ name: 'orders', shardCount: 10, nodes: ['a'] })
    expect(() => new ManagementServer({ source: cluster.source('a') }, { connections: { maxConnections: 0 } })).to.throw(/connections.maxConnections/)
    server = new ManagementServer({ source: cluster.source('a') })
  })
})
