import { expect } from 'chai'
import { connect } from 'node:net'
import { Client, Metadata, credentials, status as Code, type ServiceError } from '@grpc/grpc-js'
import { InvalidArgumentError, InvalidConfigError, MemoryMetrics, waitFor } from '@clusterfunk/core'
import {
  ERROR_KEY, ManagementClient, ManagementError, ManagementServer, UnauthenticatedError, UnavailableError, UnknownNodeError
} from '../src/index.js'
import { MemoryCluster, managementMethod } from '../src/testing.js'
import { serverOf, startHarness, type Harness } from './helpers.js'

describe('ManagementServer', () => {
  let h: Harness
  const clients: ManagementClient[] = []
  const client = (id = 'a', token?: string): ManagementClient => {
    const c = new ManagementClient({ address: serverOf(h, id).endpoint(), ...(token === undefined ? {} : { token }), timeoutMs: 5_000 })
    clients.push(c)
    return c
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    await h?.stop()
  })

  describe('every RPC', () => {
    beforeEach(async () => { h = await startHarness() })

    it('GetStatus reports the node, its leader, role, state, counts, creation time and the caller\'s IP', async () => {
      const status = await client('b').status()
      expect(status).to.deep.equal({
        nodeId: 'b', leaderId: 'a', clusterName: 'orders', role: 'Follower', state: 'Operational',
        raftMembers: 3, swimMembers: 3, shardCount: 1000, shardMapVersion: 1,
        createdAt: Date.UTC(2026, 0, 2, 3, 4, 5), callerAddress: '127.0.0.1'
      })
    })

    it('ListNodes lists every node with suffrage, SWIM and liveness status, leader flag and endpoints', async () => {
      h.cluster.kill('c')
      const nodes = await client('a').nodes()
      expect(nodes.map(n => n.id)).to.deep.equal(['a', 'b', 'c'])
      expect(nodes[0]).to.deep.include({ suffrage: 'Voter', swim: 'Alive', liveness: 'Alive', leader: true })
      expect(nodes[2]).to.deep.include({ liveness: 'Dead', leader: false })
      expect(nodes[1]?.endpoints.map(e => e.name)).to.deep.equal(['clusterfunk.management', 'http'])
    })

    it('AckShardMap on a source without acks fails as UNIMPLEMENTED, not forwarded', async () => {
      const err = await client('b').ackShardMap('b', 1).catch((e: unknown) => e)
      expect(err).to.be.instanceOf(ManagementError)
      expect((err as ManagementError).grpcCode).to.equal(Code.UNIMPLEMENTED)
    })

    it('AddNode adds a voter or a non-voter to the Raft group', async () => {
      await client().addNode({ id: 'd', address: '10.0.0.4:7000' })
      await client().addNode({ id: 'e', address: '10.0.0.5:7000', nonVoter: true })
      expect(h.cluster.node('d')?.suffrage).to.equal('Voter')
      expect(h.cluster.node('e')?.suffrage).to.equal('NonVoter')
      expect((await client().status()).raftMembers).to.equal(5)
    })

    it('AddNode with an address that is not host:port fails with InvalidArgumentError', async () => {
      const err = await client().addNode({ id: 'd', address: 'nowhere' }).catch((e: unknown) => e)
      expect(err).to.be.instanceOf(InvalidArgumentError)
      expect((err as Error).message).to.contain('host:port')
    })

    it('RemoveNode removes a member, and an unknown id fails with UnknownNodeError naming it', async () => {
      await client().removeNode('c')
      expect(h.cluster.node('c')).to.equal(undefined)
      const err = await client().removeNode('zz').catch((e: unknown) => e)
      expect(err).to.be.instanceOf(UnknownNodeError)
      expect((err as UnknownNodeError).nodeId).to.equal('zz')
    })

    it('StepDown hands leadership to another voter', async () => {
      await client('a').stepDown()
      expect(h.cluster.leader()).to.equal('b')
      expect((await client('a').status()).role).to.equal('Follower')
    })

    it('ListShards gives every node\'s shard count and share of the total', async () => {
      const shards = await client('c').shards()
      expect(shards.total).to.equal(1000)
      expect(shards.mapVersion).to.equal(1)
      expect(shards.nodes.map(n => n.nodeId)).to.deep.equal(['a', 'b', 'c'])
      expect(shards.nodes.reduce((sum, n) => sum + n.shards, 0)).to.equal(1000)
      for (const n of shards.nodes) expect(n.percent).to.be.closeTo(n.shards / 10, 1e-9)
    })

    it('ListEndpoints lists every endpoint, or those whose name contains the filter', async () => {
      expect(await client().endpoints()).to.have.length(6)
      expect(await client().endpoints('htt')).to.deep.equal([
        { nodeId: 'a', name: 'http', address: 'http://10.0.0.1:8080' },
        { nodeId: 'b', name: 'http', address: 'http://10.0.0.2:8080' },
        { nodeId: 'c', name: 'http', address: 'http://10.0.0.3:8080' }
      ])
    })

    it('FindEndpoint gives the nodes holding exactly that endpoint name', async () => {
      h.cluster.setEndpoint('b', 'grpc', '10.0.0.2:9000')
      expect(await client().findEndpoint('grpc')).to.deep.equal([{ nodeId: 'b', name: 'grpc', address: '10.0.0.2:9000' }])
      expect(await client().findEndpoint('grp')).to.deep.equal([])
    })
  })

  describe('token', () => {
    beforeEach(async () => { h = await startHarness({ token: 's3cret' }) })

    it('accepts calls carrying the right token', async () => {
      expect((await client('a', 's3cret').status()).nodeId).to.equal('a')
    })

    it('rejects calls without a token with UnauthenticatedError', async () => {
      const err = await client('a').status().catch((e: unknown) => e)
      expect(err).to.be.instanceOf(UnauthenticatedError)
    })

    it('rejects calls with a wrong token, and event streams too', async () => {
      expect(await client('a', 's3cret!').shards().catch((e: unknown) => e)).to.be.instanceOf(UnauthenticatedError)
      const watch = client('a', 'wrong').watch()
      expect(await watch.next().catch((e: unknown) => e)).to.be.instanceOf(UnauthenticatedError)
    })
  })

  describe('robustness and shutdown', () => {
    beforeEach(async () => { h = await startHarness({}, ['a']) })

    it('refuses a request of an unknown format version with FAILED_PRECONDITION / UNSUPPORTED_FORMAT, and counts it', async () => {
      const method = managementMethod('GetStatus')
      const raw = new Client(serverOf(h, 'a').endpoint(), credentials.createInsecure())
      try {
        const err = await new Promise<ServiceError | null>(resolve => {
          raw.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, { format: 7 }, new Metadata(), {}, (e) => { resolve(e) })
        })
        expect(err?.code).to.equal(Code.FAILED_PRECONDITION)
        expect(err?.metadata.get(ERROR_KEY)).to.deep.equal(['UNSUPPORTED_FORMAT'])
      } finally {
        raw.close()
      }
    })

    it('counts requests by method and code in its metrics', async () => {
      await h.stop()
      const metrics = new MemoryMetrics()
      const cluster = new MemoryCluster({ name: 'm', nodes: ['a', 'b'] })
      const server = new ManagementServer({ source: cluster.source('b'), metrics })
      h = { cluster, servers: new Map([['b', server]]), stop: async () => { await server.stop() } }
      await server.start()
      await client('b').status()
      await client('b').nodes().catch(() => undefined)
      expect(metrics.get('clusterfunk_cluster_management_requests_total', { method: 'GetStatus', code: 'OK' })).to.equal(1)
      expect(metrics.get('clusterfunk_cluster_management_requests_total', { method: 'ListNodes', code: String(Code.FAILED_PRECONDITION) })).to.equal(1)
    })

    it('survives garbage bytes on its port and keeps answering', async () => {
      const port = serverOf(h, 'a').address().port
      for (const bytes of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.alloc(4096, 0xff), Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\xff\xff\xff\xff')]) {
        await new Promise<void>(resolve => {
          const socket = connect(port, '127.0.0.1', () => { socket.end(bytes) })
          socket.on('error', () => { resolve() })
          socket.on('close', () => { resolve() })
          socket.resume()
        })
      }
      expect((await client().status()).nodeId).to.equal('a')
    })

    it('stop() closes the port: clients then get UnavailableError, and no server handle is left', async () => {
      const server = serverOf(h, 'a')
      const c = client()
      await c.status()
      const before = process.getActiveResourcesInfo().filter(r => r === 'TCPServerWrap').length
      await server.stop()
      expect(server.status).to.equal('stopped')
      expect(process.getActiveResourcesInfo().filter(r => r === 'TCPServerWrap').length).to.equal(before - 1)
      expect(await c.status({ timeoutMs: 2_000 }).catch((e: unknown) => e)).to.be.instanceOf(UnavailableError)
      await server.stop()
    })

    it('stop() cuts calls that do not finish within shutdownTimeoutMs', async () => {
      await h.stop()
      const cluster = new MemoryCluster({ name: 'slow', nodes: ['a'] })
      const source = cluster.source('a')
      let release: () => void = () => {}
      let entered = false
      const stuck = new Promise<void>(resolve => { release = resolve })
      source.stepDown = async () => { entered = true; await stuck }
      const server = new ManagementServer({ source }, { shutdownTimeoutMs: 100 })
      h = { cluster, servers: new Map([['a', server]]), stop: async () => { release(); await server.stop() } }
      await server.start()
      const call = client().stepDown().catch((e: unknown) => e)
      await waitFor(() => entered, { timeoutMs: 5_000, what: 'the call to reach the source' })
      const started = performance.now()
      await server.stop()
      expect(performance.now() - started).to.be.below(3_000)
      expect(await call).to.be.instanceOf(Error)
      release()
    })
  })

  describe('configuration', () => {
    it('rejects a bad port, an empty token, and a token on a non-loopback address without TLS', () => {
      const source = new MemoryCluster({ name: 'x', nodes: ['a'] }).source('a')
      expect(() => new ManagementServer({ source }, { port: 70_000 })).to.throw(InvalidConfigError, 'port')
      expect(() => new ManagementServer({ source }, { token: '' })).to.throw(InvalidConfigError, 'token')
      expect(() => new ManagementServer({ source }, { host: '0.0.0.0', token: 't' })).to.throw(InvalidConfigError, 'tls')
      expect(() => new ManagementClient({ address: '10.1.1.1:9', token: 't' })).to.throw(InvalidConfigError, 'tls')
      expect(() => new ManagementClient({ address: 'nope' })).to.throw(InvalidConfigError, 'address')
    })
  })
})
