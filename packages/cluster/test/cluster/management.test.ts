import { expect } from 'chai'
import { NotLeaderError, waitFor } from '@clusterfunk/core'
import { MembershipConflictError } from '@clusterfunk/management'
import { ManagementClient, type Cluster, type ClusterEvent } from '../../src/index.js'
import { TEST_SHARDS, TestNodes, waitForAgreement } from './helpers.js'

describe('Cluster management API', function () {
  this.timeout(60_000)
  const t = new TestNodes()
  const clients: ManagementClient[] = []
  let nodes: Cluster[] = []

  before(async () => {
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 3, metricsPort: 0 })
    a.setEndpoint('http', 'http://127.0.0.1:8080')
    await a.start()
    const others = await Promise.all(['b', 'c'].map(async id => await t.create({ nodeId: id, bootstrapExpect: 3, join: [a.swimAddress()] })))
    await Promise.all(others.map(async n => { await n.start() }))
    nodes = [a, ...others]
    await waitForAgreement(nodes, ['a', 'b', 'c'])
  })

  after(async () => {
    for (const c of clients) c.close()
    await t.cleanup()
  })

  function client (node: Cluster): ManagementClient {
    const c = new ManagementClient({ address: node.managementAddress() })
    clients.push(c)
    return c
  }

  const leader = (): Cluster => nodes.find(n => n.role === 'Leader') as Cluster
  const follower = (): Cluster => nodes.find(n => n.role === 'Follower') as Cluster

  it('GetStatus on a follower reports the node, its leader and the committed map', async () => {
    const f = follower()
    const status = await client(f).status()
    expect(status.nodeId).to.equal(f.nodeId)
    expect(status.leaderId).to.equal(leader().nodeId)
    expect(status.clusterName).to.equal('test')
    expect(status.role).to.equal('Follower')
    expect(status.state).to.equal('Operational')
    expect(status.raftMembers).to.equal(3)
    expect(status.swimMembers).to.equal(3)
    expect(status.shardCount).to.equal(TEST_SHARDS)
    expect(status.shardMapVersion).to.equal(f.shards.version)
    expect(status.callerAddress).to.equal('127.0.0.1')
  })

  it('ListNodes through a follower answers from the leader with suffrage, SWIM and liveness', async () => {
    const c = client(follower())
    const summary = await waitFor(async () => {
      const list = await c.nodes()
      return list.every(n => n.liveness === 'Alive') ? list : false
    }, { timeoutMs: 10_000, what: 'every node alive to the liveness checker' })
    expect(summary.map(n => n.id)).to.deep.equal(['a', 'b', 'c'])
    expect(summary.every(n => n.suffrage === 'Voter' && n.swim === 'Alive')).to.equal(true)
    expect(summary.filter(n => n.leader).map(n => n.id)).to.deep.equal([leader().nodeId])
    const a = summary.find(n => n.id === 'a')
    expect(a?.endpoints.map(e => e.name)).to.include.members(['http', 'swim', 'raft', 'liveness', 'clusterfunk.management'])
  })

  it('ListShards shares every shard among the three nodes', async () => {
    const shards = await client(nodes[2] as Cluster).shards()
    expect(shards.total).to.equal(TEST_SHARDS)
    expect(shards.mapVersion).to.equal(nodes[2]?.shards.version)
    expect(shards.nodes.map(n => n.nodeId)).to.deep.equal(['a', 'b', 'c'])
    expect(shards.nodes.reduce((sum, n) => sum + n.shards, 0)).to.equal(TEST_SHARDS)
    expect(shards.nodes.reduce((sum, n) => sum + n.percent, 0)).to.be.closeTo(100, 1e-9)
  })

  it('FindEndpoint finds a user endpoint set before start, and one set at runtime', async () => {
    const c = client(nodes[1] as Cluster)
    expect(await c.findEndpoint('http')).to.deep.equal([{ nodeId: 'a', name: 'http', address: 'http://127.0.0.1:8080' }])
    nodes[2]?.setEndpoint('ep.grpc', '127.0.0.1:9000')
    const found = await waitFor(async () => {
      const list = await c.findEndpoint('grpc')
      return list.length > 0 ? list : false
    }, { timeoutMs: 10_000, what: 'the new endpoint to spread' })
    expect(found).to.deep.equal([{ nodeId: 'c', name: 'grpc', address: '127.0.0.1:9000' }])
    await waitFor(() => nodes[0]?.endpoint('c', 'grpc') === '127.0.0.1:9000', { timeoutMs: 10_000, what: 'node a to see the endpoint' })
    expect(nodes[0]?.endpoints('grpc')).to.deep.equal([{ nodeId: 'c', name: 'grpc', address: '127.0.0.1:9000' }])
  })

  it('AckShardMap on a follower is refused with the leader named', async () => {
    const err = await client(follower()).ackShardMap('x', 1).then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(NotLeaderError)
    expect((err as NotLeaderError).leaderId).to.equal(leader().nodeId)
  })

  it('AddNode and RemoveNode that conflict with the cluster are refused over the wire with a MembershipConflictError saying why', async () => {
    const c = client(follower())
    const members = await c.nodes()
    const b = members.find(n => n.id === 'b')
    let err: unknown
    try { await c.addNode({ id: 'b', address: '127.0.0.1:1' }) } catch (e) { err = e }
    expect(err).to.be.instanceOf(MembershipConflictError)
    expect((err as Error).message).to.match(/^node b is already a voter at .*: remove it first/)
    err = undefined
    try { await c.removeNode('c') } catch (e) { err = e }
    expect(err).to.be.instanceOf(MembershipConflictError)
    expect((err as Error).message).to.include('node c is alive in gossip')
    expect((await c.nodes()).map(n => n.id)).to.deep.equal(members.map(n => n.id))
    expect(b?.suffrage).to.equal('Voter')
  })

  it('the metrics endpoint reports the cluster, Raft, SWIM and liveness series', async () => {
    const a = nodes[0] as Cluster
    const url = a.metricsUrl() as string
    const text = await waitFor(async () => {
      const body = await (await fetch(url)).text()
      return /clusterfunk_cluster_state\{state="Operational"\} 1/.test(body) ? body : false
    }, { timeoutMs: 10_000, what: 'Operational in the exposition' })
    expect(text).to.match(/clusterfunk_cluster_size 3/)
    expect(text).to.match(new RegExp(`clusterfunk_cluster_role\\{role="${a.role}"\\} 1`))
    expect(text).to.match(new RegExp(`clusterfunk_cluster_shards_owned ${a.shards.shardsOf('a').length}`))
    expect(text).to.match(new RegExp(`clusterfunk_cluster_shard_map_version ${a.shards.version}`))
    for (const series of ['clusterfunk_raft_commit_index', 'clusterfunk_raft_term', 'clusterfunk_swim_members', 'clusterfunk_cluster_leader_changes_total', 'clusterfunk_cluster_info', 'clusterfunk_cluster_management_requests_total']) {
      expect(text).to.include(series)
    }
  })

  // Last: it grows the cluster the tests above read.
  it('WatchEvents and events() report a node joining and the map that follows', async () => {
    const controller = new AbortController()
    const watched: ClusterEvent[] = []
    const local: string[] = []
    const b = nodes[1] as Cluster
    const watching = (async () => {
      try {
        for await (const e of client(b).watch({ signal: controller.signal })) watched.push(e)
      } catch (err) {
        if (!controller.signal.aborted) throw err
      }
    })()
    const reading = (async () => {
      try {
        for await (const e of b.events({ signal: controller.signal })) local.push(`${e.type}:${'nodeId' in e.detail ? e.detail.nodeId : ''}`)
      } catch (err) {
        if (!controller.signal.aborted) throw err
      }
    })()
    const d = await t.create({ nodeId: 'd', join: [b.swimAddress()] })
    await d.start()
    await waitForAgreement([...nodes, d], ['a', 'b', 'c', 'd'])
    await waitFor(() => watched.some(e => e.type === 'shards:change' && e.mapVersion === b.shards.version), { timeoutMs: 10_000, what: 'the new map in the stream' })
    controller.abort()
    await Promise.all([watching, reading])
    const change = watched.find(e => e.type === 'shards:change')
    expect(change).to.deep.include({ type: 'shards:change', total: TEST_SHARDS })
    expect(local).to.include('node:join:d')
    expect(local).to.include('shards:change:')
  })
})
