import { createSocket } from 'node:dgram'
import { expect } from 'chai'
import {
  Client, Metadata, Server, ServerCredentials, credentials, status as Code, type ServerUnaryCall, type ServerWritableStream, type ServiceDefinition,
  type ServiceError, type UntypedServiceImplementation, type sendUnaryData
} from '@grpc/grpc-js'
import { waitFor } from '@clusterfunk/core'
import { encodePacket, type Member } from '@clusterfunk/swim'
import { ManagementClient, generateGossipKey, type Cluster } from '../../src/index.js'
import { managementService } from '@clusterfunk/management/testing'
import { TestNodes, waitForAgreement } from './helpers.js'

const TOKEN = 'token-only-cluster-secret'
const MANAGEMENT_TAG = 'ep.clusterfunk.management'

/** One call a listener received: its path, metadata and request bytes. */
interface Received { path: string, metadata: Record<string, unknown>, body: Buffer }

/** A gRPC listener on 127.0.0.1 that accepts any management call, keeps what it got, and answers UNAVAILABLE. */
async function impostor (): Promise<{ address: string, received: Received[], stop: () => Promise<void> }> {
  const received: Received[] = []
  const raw: Record<string, unknown> = {}
  const handlers: UntypedServiceImplementation = {}
  for (const [name, method] of Object.entries(managementService())) {
    raw[name] = { ...method, requestDeserialize: (b: Buffer) => b }
    handlers[name] = method.responseStream
      ? (call: ServerWritableStream<Buffer, unknown>) => {
          received.push({ path: method.path, metadata: call.metadata.getMap(), body: call.request })
          call.emit('error', { code: Code.UNAVAILABLE, details: 'impostor' })
        }
      : (call: ServerUnaryCall<Buffer, unknown>, callback: sendUnaryData<unknown>) => {
          received.push({ path: method.path, metadata: call.metadata.getMap(), body: call.request })
          callback({ code: Code.UNAVAILABLE, details: 'impostor' })
        }
  }
  const server = new Server()
  server.addService(raw as ServiceDefinition, handlers)
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => { if (err !== null) reject(err); else resolve(p) })
  })
  return { address: `127.0.0.1:${port}`, received, stop: async () => { await new Promise<void>(resolve => { server.tryShutdown(() => { resolve() }) }) } }
}

/** A node's SWIM view of member `id` (test access to the running parts). */
function viewOf (node: Cluster, id: string): Member | undefined {
  return (node as unknown as { parts?: { swim: { member: (id: string) => Member | undefined } } }).parts?.swim.member(id)
}

// With a token but no gossip key, forged unsealed gossip
// re-pointed the leader's management tag, and a follower then sent its
// `authorization: Bearer <token>` there (forwarded calls, acks).
describe('Cluster with a token but unauthenticated gossip', function () {
  this.timeout(60_000)
  const t = new TestNodes()
  let nodes: Cluster[] = []
  const clients: ManagementClient[] = []

  before(async () => {
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 3, token: TOKEN })
    await a.start()
    const others = await Promise.all(['b', 'c'].map(async id => await t.create({ nodeId: id, bootstrapExpect: 3, token: TOKEN, join: [a.swimAddress()] })))
    await Promise.all(others.map(async n => { await n.start() }))
    nodes = [a, ...others]
    await waitForAgreement(nodes, ['a', 'b', 'c'], 20_000)
  })

  after(async () => {
    for (const c of clients) c.close()
    await t.cleanup()
  })

  it('says its gossip is not authenticated (and a node with gossip keys says it is)', async () => {
    expect(nodes[0]?.gossipAuthenticated).to.equal(false)
    const keyed = await t.create({ nodeId: 'k', gossipKeys: [generateGossipKey()] })
    expect(keyed.gossipAuthenticated).to.equal(true)
  })

  it('a forged alive packet re-pointing the leader\'s management tag gets the impostor no token and no usable proof', async () => {
    const leader = nodes.find(n => n.role === 'Leader') as Cluster
    const follower = nodes.find(n => n.role === 'Follower') as Cluster
    const fake = await impostor()
    const udp = createSocket('udp4')
    await new Promise<void>(resolve => { udp.bind(0, '127.0.0.1', resolve) })
    const [host, port] = [follower.swimAddress().split(':')[0] ?? '', Number(follower.swimAddress().split(':')[1])]
    const forge = (): void => {
      const real = viewOf(follower, leader.nodeId)
      if (real === undefined || real.tags.get(MANAGEMENT_TAG) === fake.address) return
      const tags = new Map(real.tags)
      tags.set(MANAGEMENT_TAG, fake.address)
      udp.send(encodePacket([{ type: 'alive', node: real.id, incarnation: real.incarnation + 1, address: real.address, tags }]), port, host)
    }
    const operator = new ManagementClient({ address: follower.managementAddress(), token: TOKEN, timeoutMs: 2_000 })
    clients.push(operator)
    try {
      // Keep re-pointing (the leader refutes) and keep asking the follower a leader-only question, which it forwards.
      await waitFor(async () => {
        forge()
        await operator.nodes().catch(() => undefined)
        return fake.received.length > 0
      }, { timeoutMs: 30_000, intervalMs: 20, what: 'the follower to dial the impostor' })
      for (const call of fake.received) {
        expect(call.metadata).to.not.have.property('authorization')
        for (const value of Object.values(call.metadata)) expect(String(value)).to.not.contain(TOKEN)
      }
      // What the impostor got cannot act as the cluster: replayed to the real leader, it is refused.
      const replay = new Client(leader.managementAddress(), credentials.createInsecure())
      try {
        for (const call of fake.received) {
          const metadata = new Metadata()
          for (const [key, value] of Object.entries(call.metadata)) if (typeof value === 'string') metadata.set(key, value)
          const err = await new Promise<ServiceError | null>(resolve => {
            replay.makeUnaryRequest(call.path, (b: Buffer) => b, (b: Buffer) => b, call.body, metadata, { deadline: Date.now() + 5_000 }, e => { resolve(e) })
          })
          expect(err?.code).to.equal(Code.UNAUTHENTICATED)
        }
      } finally {
        replay.close()
      }
    } finally {
      udp.close()
      await fake.stop()
    }
  })
})
