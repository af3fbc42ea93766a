import { expect } from 'chai'
import { status as Code } from '@grpc/grpc-js'
import { InvalidArgumentError, MAP_VERSIONS, MemoryMetrics } from '@clusterfunk/core'
import { ManagementClient, ManagementError, ManagementServer, UnknownNodeError, type ManagementSource } from '../src/index.js'
import { MemoryCluster } from '../src/testing.js'
import { serverOf, startHarness, type Harness } from './helpers.js'

/** `base` with some methods replaced (the rest found on `base` through the prototype). */
function withOverride (base: ManagementSource, methods: Partial<ManagementSource>): ManagementSource {
  return Object.assign(Object.create(base) as ManagementSource, methods)
}

// An id that is not legal in gRPC metadata (any non-ASCII
// id) made errorToStatus throw inside the unary wrapper's rejection handler,
// and the unhandled rejection ended the leader. These run on real sockets.
describe('ManagementServer with hostile ids', () => {
  let h: Harness | undefined
  const clients: ManagementClient[] = []
  const servers: ManagementServer[] = []
  const client = (address: string): ManagementClient => {
    const c = new ManagementClient({ address, timeoutMs: 3_000 })
    clients.push(c)
    return c
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    for (const s of servers.splice(0)) await s.stop()
    await h?.stop()
    h = undefined
  })

  const serve = async (source: ManagementSource, metrics = new MemoryMetrics()): Promise<ManagementServer> => {
    const server = new ManagementServer({ source, metrics })
    servers.push(server)
    await server.start()
    return server
  }

  it('RemoveNode of a non-ASCII id through a follower is refused as INVALID_ARGUMENT, and the leader keeps answering', async () => {
    h = await startHarness()
    const err = await client(serverOf(h, 'b').endpoint()).removeNode('nö').catch((e: unknown) => e)
    expect(err).to.be.instanceOf(InvalidArgumentError)
    expect((err as Error).message).to.contain('node id')
    const again = await client(serverOf(h, 'a').endpoint()).removeNode('nö').catch((e: unknown) => e)
    expect(again).to.be.instanceOf(InvalidArgumentError)
    expect((await client(serverOf(h, 'a').endpoint()).status()).role).to.equal('Leader')
    expect(h.cluster.node('c')).to.not.equal(undefined)
  })

  it('AddNode of an id with control characters is refused as INVALID_ARGUMENT', async () => {
    h = await startHarness()
    const err = await client(serverOf(h, 'c').endpoint()).addNode({ id: 'd\r\nx', address: '10.0.0.4:7000' }).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(InvalidArgumentError)
    expect(h.cluster.node('d\r\nx')).to.equal(undefined)
  })

  it('AckShardMap takes map versions 1..MAP_VERSIONS.max and refuses 0, max+1 and the first unsafe integer as INVALID_ARGUMENT', async () => {
    h = await startHarness()
    const c = client(serverOf(h, 'a').endpoint())
    for (const version of [0, MAP_VERSIONS.max + 1, 2 ** 53]) {
      expect(await c.ackShardMap('b', version).catch((e: unknown) => e), String(version)).to.be.instanceOf(InvalidArgumentError)
    }
    for (const version of [1, MAP_VERSIONS.max - 1, MAP_VERSIONS.max]) {
      // Past the checks, this source answers UNIMPLEMENTED (it takes no acks).
      expect(await c.ackShardMap('b', version).catch((e: unknown) => e), String(version)).to.include({ grpcCode: Code.UNIMPLEMENTED })
    }
    expect(await c.ackShardMap('b\u0000', 1).catch((e: unknown) => e)).to.be.instanceOf(InvalidArgumentError)
  })

  it('an UnknownNodeError naming any id reaches the client with that very id', async () => {
    const cluster = new MemoryCluster({ name: 'orders', shardCount: 10, nodes: [{ id: 'a' }] })
    const hostile = 'nö\u0000\r\n ☃ %41'
    const source = withOverride(cluster.source('a'), { nodes: async () => { throw new UnknownNodeError(hostile) } })
    const server = await serve(source)
    const err = await client(server.endpoint()).nodes().catch((e: unknown) => e)
    expect(err).to.be.instanceOf(UnknownNodeError)
    expect((err as UnknownNodeError).nodeId).to.equal(hostile)
  })

  it('a handler error that cannot even be turned into text is answered INTERNAL, and the server keeps answering', async () => {
    const cluster = new MemoryCluster({ name: 'orders', shardCount: 10, nodes: [{ id: 'a' }] })
    // String() of a null-prototype object throws: errorToStatus itself fails on it.
    const source = withOverride(cluster.source('a'), { shards: async () => { throw Object.create(null) as Error } })
    const metrics = new MemoryMetrics()
    const server = await serve(source, metrics)
    const err = await client(server.endpoint()).shards().catch((e: unknown) => e)
    expect(err).to.be.instanceOf(ManagementError)
    expect((err as ManagementError).grpcCode).to.equal(Code.INTERNAL)
    expect(metrics.get('clusterfunk_cluster_management_requests_total', { method: 'ListShards', code: String(Code.INTERNAL) })).to.equal(1)
    expect((await client(server.endpoint()).status()).nodeId).to.equal('a')
  })
})
