import { expect } from 'chai'
import { NotLeaderError } from '@clusterfunk/core'
import { MANAGEMENT_ENDPOINT, ManagementClient, UnknownNodeError } from '../src/index.js'
import { serverOf, startHarness, type Harness } from './helpers.js'

describe('ManagementServer forwarding', () => {
  let h: Harness
  let clients: ManagementClient[]
  const client = (id: string, token?: string): ManagementClient => {
    const c = new ManagementClient({ address: serverOf(h, id).endpoint(), ...(token === undefined ? {} : { token }) })
    clients.push(c)
    return c
  }

  beforeEach(() => { clients = [] })
  afterEach(async () => {
    for (const c of clients) c.close()
    await h.stop()
  })

  it('a follower forwards leader-only calls to the leader, which answers them', async () => {
    h = await startHarness()
    const nodes = await client('b').nodes()
    expect(nodes.find(n => n.leader)?.id).to.equal('a')
    await client('c').addNode({ id: 'd', address: '10.0.0.4:7000', nonVoter: true })
    expect(h.cluster.node('d')?.suffrage).to.equal('NonVoter')
    await client('b').removeNode('d')
    expect(h.cluster.node('d')).to.equal(undefined)
  })

  it('a follower forwards step-down, and after it forwards to the new leader', async () => {
    h = await startHarness()
    await client('c').stepDown()
    expect(h.cluster.leader()).to.equal('b')
    await client('c').stepDown()
    expect(h.cluster.leader()).to.equal('a')
  })

  it('forwarded calls carry the cluster token, and the leader\'s errors come back typed', async () => {
    h = await startHarness({ token: 'tok' })
    expect(await client('b', 'tok').nodes()).to.have.length(3)
    const err = await client('b', 'tok').removeNode('ghost').catch((e: unknown) => e)
    expect(err).to.be.instanceOf(UnknownNodeError)
  })

  it('without a known leader, leader-only calls fail with NotLeaderError and no hint', async () => {
    h = await startHarness()
    h.cluster.electLeader(undefined)
    const err = await client('b').nodes().catch((e: unknown) => e)
    expect(err).to.be.instanceOf(NotLeaderError)
    expect((err as NotLeaderError).leaderId).to.equal(undefined)
  })

  it('when the leader cannot be reached, the caller gets NotLeaderError naming the leader and its address', async () => {
    h = await startHarness()
    const leaderAddress = serverOf(h, 'a').endpoint()
    await serverOf(h, 'a').stop()
    const err = await client('b').nodes().catch((e: unknown) => e)
    expect(err).to.be.instanceOf(NotLeaderError)
    expect(err).to.include({ leaderId: 'a', leaderAddress })
  })

  it('a forwarded call is never forwarded again, so a stale leader address cannot loop', async () => {
    h = await startHarness()
    // b believes c leads at c's address, but c's view names b: without the loop guard this would bounce.
    h.cluster.electLeader('c')
    h.cluster.setEndpoint('c', MANAGEMENT_ENDPOINT, serverOf(h, 'b').endpoint())
    const err = await client('a').nodes().catch((e: unknown) => e)
    expect(err).to.be.instanceOf(NotLeaderError)
    expect((err as NotLeaderError).leaderId).to.equal('c')
  })
})
