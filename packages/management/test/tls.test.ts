import { expect } from 'chai'
import { ManagementClient, ManagementServer, MANAGEMENT_ENDPOINT, UnavailableError } from '../src/index.js'
import { MemoryCluster } from '../src/testing.js'
import { selfSignedCert, type TestCert } from './helpers.js'

describe('ManagementServer over TLS', function () {
  this.timeout(30_000)
  let cert: TestCert
  let other: TestCert
  let servers: ManagementServer[]
  let clients: ManagementClient[]
  let cluster: MemoryCluster

  before(async () => {
    cert = await selfSignedCert('cluster')
    other = await selfSignedCert('stranger')
  })
  beforeEach(() => {
    servers = []
    clients = []
    cluster = new MemoryCluster({ name: 'secure', nodes: ['a', 'b'], shardCount: 100 })
  })
  afterEach(async () => {
    for (const c of clients) c.close()
    await Promise.all(servers.map(async s => { await s.stop() }))
  })

  const serve = async (id: string, init: ConstructorParameters<typeof ManagementServer>[1]): Promise<ManagementServer> => {
    const server = new ManagementServer({ source: cluster.source(id) }, init)
    servers.push(server)
    await server.start()
    cluster.setEndpoint(id, MANAGEMENT_ENDPOINT, server.endpoint())
    return server
  }
  const connect = (server: ManagementServer, init: Partial<ConstructorParameters<typeof ManagementClient>[0]>): ManagementClient => {
    const c = new ManagementClient({ address: server.endpoint(), timeoutMs: 5_000, ...init })
    clients.push(c)
    return c
  }

  it('serves a client that trusts its certificate, with the token', async () => {
    const server = await serve('a', { tls: cert, token: 't' })
    expect((await connect(server, { tls: { ca: cert.cert }, token: 't' }).status()).nodeId).to.equal('a')
  })

  it('refuses a client that trusts another CA, and a plaintext client', async () => {
    const server = await serve('a', { tls: cert })
    expect(await connect(server, { tls: { ca: other.cert } }).status().catch((e: unknown) => e)).to.be.instanceOf(UnavailableError)
    expect(await connect(server, {}).status().catch((e: unknown) => e)).to.be.instanceOf(UnavailableError)
  })

  it('with a client CA, accepts only clients presenting a certificate it signed', async () => {
    const server = await serve('a', { tls: { ...cert, clientCa: cert.cert } })
    expect((await connect(server, { tls: { ca: cert.cert, cert: cert.cert, key: cert.key } }).shards()).total).to.equal(100)
    expect(await connect(server, { tls: { ca: cert.cert, cert: other.cert, key: other.key } }).shards().catch((e: unknown) => e)).to.be.instanceOf(Error)
  })

  it('a follower forwards to the leader over TLS with the token', async () => {
    await serve('a', { tls: { ...cert, clientCa: cert.cert }, token: 't' })
    const b = await serve('b', { tls: { ...cert, clientCa: cert.cert }, token: 't' })
    const nodes = await connect(b, { tls: { ca: cert.cert, cert: cert.cert, key: cert.key }, token: 't' }).nodes()
    expect(nodes.map(n => n.id)).to.deep.equal(['a', 'b'])
  })
})
