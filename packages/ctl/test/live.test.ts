import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { createCluster, type Cluster } from '@clusterfunk/cluster'
import { closedPort, funkctl } from './helpers.js'

const TOKEN = 'live-cluster-token'
const SHARDS = 1_024
const IDS = ['a', 'b', 'c'] as const

/** The leader, when every node is Operational on one committed map of all three and agrees on who leads. */
function agreedLeader (nodes: readonly Cluster[]): Cluster | undefined {
  const leaderId = nodes[0]?.leader()
  const version = nodes[0]?.shards.version ?? 0
  const ok = leaderId !== undefined && version > 0 && nodes.every(n =>
    n.state === 'Operational' && n.leader() === leaderId && n.shards.version === version &&
    n.shards.map?.nodes().map(x => x.id).sort().join(',') === IDS.join(','))
  return ok ? nodes.find(n => n.nodeId === leaderId && n.role === 'Leader') : undefined
}

describe('funkctl against a live cluster', function () {
  this.timeout(40_000)
  const nodes: Cluster[] = []
  const dirs: string[] = []
  let leader: Cluster

  /** The management endpoint and token of node `id`, as funkctl arguments. */
  function at (id: string, token = TOKEN): string[] {
    const node = nodes.find(n => n.nodeId === id)
    if (node === undefined) throw new Error(`no node ${id}`)
    return ['--endpoint', node.managementAddress(), '--token', token]
  }

  function follower (): Cluster {
    return nodes.find(n => n !== leader) as Cluster
  }

  before(async () => {
    for (const [i, id] of IDS.entries()) {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-ctl-live-'))
      dirs.push(dataDir)
      const node = createCluster({
        name: 'live',
        nodeId: id,
        dataDir,
        zeroconf: false,
        swimPort: 0,
        swimPreset: 'local',
        shards: SHARDS,
        token: TOKEN,
        bootstrapExpect: 3,
        ...(i === 0 ? {} : { join: [nodes[0]?.swimAddress() ?? ''] })
      })
      node.setEndpoint('http', `http://127.0.0.1:${8080 + i}`)
      nodes.push(node)
      await node.start()
    }
    leader = await waitFor(() => agreedLeader(nodes), { timeoutMs: 20_000, intervalMs: 20, what: 'three Operational nodes agreeing on the leader and the map' })
  })

  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('status shows a follower\'s view of the cluster, as a table and as JSON', async () => {
    const f = follower()
    const [table, json] = await Promise.all([funkctl(['status', ...at(f.nodeId)]), funkctl(['status', '--json', ...at(f.nodeId)])])
    expect(table.code, table.stderr).to.equal(0)
    expect(table.stdout).to.contain([
      'Cluster       live',
      `Node          ${f.nodeId}`,
      'Role          Follower',
      'State         Operational',
      `Leader        ${leader.nodeId}`,
      'Raft members  3',
      'SWIM members  3',
      `Shards        ${SHARDS}`,
      `Shard map     version ${f.shards.version}`
    ].join('\n'))
    expect(json.code, json.stderr).to.equal(0)
    expect(JSON.parse(json.stdout)).to.deep.include({
      nodeId: f.nodeId,
      leaderId: leader.nodeId,
      clusterName: 'live',
      role: 'Follower',
      state: 'Operational',
      raftMembers: 3,
      swimMembers: 3,
      shardCount: SHARDS,
      shardMapVersion: f.shards.version,
      callerAddress: '127.0.0.1'
    })
  })

  it('nodes, asked of a follower, lists what the leader knows, as a table and as JSON', async () => {
    const f = follower()
    const [table, json] = await Promise.all([funkctl(['nodes', ...at(f.nodeId)]), funkctl(['nodes', '--json', ...at(f.nodeId)])])
    expect(table.code, table.stderr).to.equal(0)
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).to.match(/^NODE +SUFFRAGE +SWIM +LIVENESS +LEADER +ENDPOINTS$/)
    expect(lines.slice(1).map(l => l.split(/ +/).slice(0, 3))).to.deep.equal(IDS.map(id => [id, 'Voter', 'Alive']))
    expect(lines.filter(l => / yes /.test(l)).map(l => l.split(' ')[0])).to.deep.equal([leader.nodeId])
    expect(json.code, json.stderr).to.equal(0)
    const listed = JSON.parse(json.stdout) as Array<{ id: string, suffrage: string, swim: string, liveness: string, leader: boolean, endpoints: Array<{ name: string, address: string }> }>
    const actual = leader.nodes()
    expect(listed.map(n => [n.id, n.suffrage, n.swim, n.leader])).to.deep.equal(actual.map(n => [n.id, n.suffrage, n.swim, n.leader]))
    expect(listed.map(n => n.liveness)).to.deep.equal(actual.map(n => n.liveness))
    expect(listed.filter(n => !n.leader).map(n => n.liveness)).to.deep.equal(['Alive', 'Alive'])
    for (const n of listed) {
      const endpoints = Object.fromEntries(n.endpoints.map(e => [e.name, e.address]))
      expect(endpoints).to.deep.equal(actual.find(x => x.id === n.id)?.endpoints)
      expect(endpoints['clusterfunk.management']).to.equal(nodes.find(x => x.nodeId === n.id)?.managementAddress())
    }
  })

  it('shards matches the committed map every node holds, as a table and as JSON', async () => {
    const [table, json] = await Promise.all([funkctl(['shards', ...at('c')]), funkctl(['shards', '--json', ...at('c')])])
    const view = nodes[2]?.shards
    if (view === undefined) throw new Error('no node c')
    const counts = IDS.map(id => view.shardsOf(id).length)
    expect(counts.reduce((a, b) => a + b, 0)).to.equal(SHARDS)
    expect(table.code, table.stderr).to.equal(0)
    expect(table.stdout).to.equal([
      'NODE   SHARDS  PERCENT',
      ...IDS.map((id, i) => `${id.padEnd(5)}  ${String(counts[i]).padStart(6)}  ${(100 * (counts[i] as number) / SHARDS).toFixed(2).padStart(6)}%`),
      `TOTAL  ${String(SHARDS).padStart(6)}  100.00%`,
      `shard map version ${view.version}`, ''
    ].join('\n'))
    expect(json.code, json.stderr).to.equal(0)
    const summary = JSON.parse(json.stdout) as { total: number, mapVersion: number, nodes: Array<{ nodeId: string, shards: number }> }
    expect(summary).to.deep.include({ total: SHARDS, mapVersion: view.version })
    expect(summary.nodes.map(n => [n.nodeId, n.shards])).to.deep.equal(IDS.map((id, i) => [id, counts[i]]))
  })

  it('endpoints lists every node\'s published endpoints, filtered, and as JSON', async () => {
    const [plain, json] = await Promise.all([funkctl(['endpoints', 'http', ...at('a')]), funkctl(['endpoints', '--json', ...at('a')])])
    expect(plain.code, plain.stderr).to.equal(0)
    expect(plain.stdout).to.equal('NODE  NAME  ADDRESS\na     http  http://127.0.0.1:8080\nb     http  http://127.0.0.1:8081\nc     http  http://127.0.0.1:8082\n')
    expect(json.code, json.stderr).to.equal(0)
    const listed = JSON.parse(json.stdout) as Array<{ nodeId: string, name: string, address: string }>
    expect(listed).to.deep.equal(nodes[0]?.endpoints().map(e => ({ nodeId: e.nodeId, name: e.name, address: e.address })))
    expect(listed.filter(e => e.name === 'raft').map(e => e.address)).to.deep.equal(nodes.map(n => n.raftAddress()))
  })

  it('step-down, asked of a follower, moves the leadership to another node', async () => {
    const before = leader
    const f = follower()
    const r = await funkctl(['step-down', ...at(f.nodeId)])
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stdout).to.match(/^the leader stepped down; the leader is now \S+\n$/)
    leader = await waitFor(() => {
      const now = agreedLeader(nodes)
      return now !== before ? now : undefined
    }, { timeoutMs: 15_000, intervalMs: 20, what: 'another node to lead, every node agreeing' })
    const status = await funkctl(['status', '--json', ...at(before.nodeId)])
    expect(JSON.parse(status.stdout)).to.deep.include({ nodeId: before.nodeId, leaderId: leader.nodeId, role: 'Follower' })
  })

  it('a wrong token exits 4 with a one-line message', async () => {
    const r = await funkctl(['status', ...at('b', 'not-the-token')])
    expect(r.code).to.equal(4)
    expect(r.stdout).to.equal('')
    expect(r.stderr).to.match(/^funkctl: the cluster refused the token \(.+\); pass --token or set FUNKCTL_TOKEN\n$/)
  })

  it('an unreachable endpoint exits 3 with a one-line message', async () => {
    const port = await closedPort()
    const r = await funkctl(['status', '--endpoint', `127.0.0.1:${port}`, '--token', TOKEN, '--timeout', '3s'])
    expect(r.code).to.equal(3)
    expect(r.stderr).to.equal(`funkctl: cannot reach 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`)
  })
})
