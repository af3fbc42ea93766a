import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { closedPort, funkctl, start, startCluster, type TestCluster } from './helpers.js'

describe('funkctl (the process)', function () {
  this.timeout(60_000)
  let t: TestCluster
  let ep: string[]

  before(async () => { t = await startCluster({ token: 'tok' }) })
  after(async () => { await t.stop() })
  beforeEach(() => { ep = ['--endpoint', t.endpoint('b'), '--token', 'tok'] })

  it('status prints the node\'s view as aligned fields, and --json the same data', async () => {
    const [table, json] = await Promise.all([funkctl(['status', ...ep]), funkctl(['status', '--json', ...ep])])
    expect(table.code).to.equal(0)
    expect(table.stdout).to.match(/^Cluster {7}orders\nNode {10}b\nRole {10}Follower\nState {9}Operational\nLeader {8}a\n/)
    expect(table.stdout).to.contain('Shard map     version 1\nVersion       (not reported)\nCreated       2026-11-01T12:00:00.000Z\nYour address  127.0.0.1\n')
    expect(JSON.parse(json.stdout)).to.deep.include({ nodeId: 'b', leaderId: 'a', role: 'Follower', shardCount: 1000, callerAddress: '127.0.0.1' })
  })

  it('nodes prints a table with the leader marked (answered through the follower), and --json a list', async () => {
    const [table, json] = await Promise.all([funkctl(['nodes', ...ep]), funkctl(['nodes', '--json', ...ep])])
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).to.match(/^NODE {2}SUFFRAGE {2}SWIM {3}LIVENESS {2}LEADER {2}GOSSIP {2}RAFT {2}MANAGEMENT +ENDPOINTS$/)
    // The cluster's own addresses in columns of their own (this test cluster publishes the management one only), the rest after.
    expect(lines[1]).to.match(/^a {5}Voter {5}Alive {2}Alive {5}yes {5}- {7}- {5}127\.0\.0\.1:\d+ +http=http:\/\/10\.0\.0\.1:8080$/)
    expect(lines).to.have.length(4)
    expect(JSON.parse(json.stdout).map((n: { id: string, leader: boolean }) => [n.id, n.leader])).to.deep.equal([['a', true], ['b', false], ['c', false]])
  })

  it('shards prints counts and percentages with a total, and --json the summary', async () => {
    const [table, json] = await Promise.all([funkctl(['shards', ...ep]), funkctl(['shards', '--json', ...ep])])
    expect(table.stdout).to.equal([
      'NODE   SHARDS  PERCENT',
      'a         334   33.40%',
      'b         333   33.30%',
      'c         333   33.30%',
      'TOTAL    1000  100.00%',
      'shard map version 1', ''
    ].join('\n'))
    expect(JSON.parse(json.stdout)).to.deep.include({ total: 1000, mapVersion: 1 })
  })

  it('endpoints lists them plain, filtered, as a tree, and as JSON', async () => {
    const [plain, tree, json] = await Promise.all([
      funkctl(['endpoints', 'http', ...ep]), funkctl(['endpoints', '--tree', ...ep]), funkctl(['endpoints', 'ht', '--json', ...ep])
    ])
    expect(plain.stdout).to.equal('NODE  NAME  ADDRESS\na     http  http://10.0.0.1:8080\nb     http  http://10.0.0.2:8080\nc     http  http://10.0.0.3:8080\n')
    expect(tree.stdout).to.match(/^clusterfunk\.management\n├─ a {2}127\.0\.0\.1:\d+\n├─ b {2}127\.0\.0\.1:\d+\n└─ c {2}127\.0\.0\.1:\d+\nhttp\n├─ a {2}http:\/\/10\.0\.0\.1:8080\n/)
    expect(JSON.parse(json.stdout)).to.deep.equal([
      { nodeId: 'a', name: 'http', address: 'http://10.0.0.1:8080' },
      { nodeId: 'b', name: 'http', address: 'http://10.0.0.2:8080' },
      { nodeId: 'c', name: 'http', address: 'http://10.0.0.3:8080' }
    ])
  })

  it('node add, node rm and step-down reach the leader through a follower', async () => {
    const add = await funkctl(['node', 'add', 'd', '10.0.0.4:7000', '--non-voter', ...ep])
    expect(add).to.include({ code: 0, stdout: 'added d at 10.0.0.4:7000 as NonVoter\n' })
    expect(t.cluster.node('d')?.suffrage).to.equal('NonVoter')
    const rm = await funkctl(['node', 'rm', 'd', '--json', ...ep])
    expect(rm.code).to.equal(0)
    expect(JSON.parse(rm.stdout)).to.deep.equal({ removed: 'd' })
    expect(t.cluster.node('d')).to.equal(undefined)
    const down = await funkctl(['step-down', ...ep])
    expect(down).to.include({ code: 0, stdout: 'the leader stepped down; the leader is now b\n' })
    expect(t.cluster.leader()).to.equal('b')
    t.cluster.electLeader('a')
  })

  it('removing an unknown node exits 5 with a message', async () => {
    const r = await funkctl(['node', 'rm', 'ghost', ...ep])
    expect(r).to.include({ code: 5, stdout: '', stderr: 'funkctl: unknown node ghost\n' })
  })

  it('node remove of a non-ASCII id through a follower is refused (exit 5) and the leader keeps answering', async () => {
    const r = await funkctl(['node', 'remove', 'nö', '--timeout', '5s', ...ep])
    expect(r).to.include({ code: 5, stdout: '' })
    expect(r.stderr).to.match(/^funkctl: the cluster refused the request: node id "nö" is not valid: .*\n$/)
    const again = await funkctl(['node', 'remove', 'nö', '--endpoint', t.endpoint('a'), '--token', 'tok', '--timeout', '5s'])
    expect(again.code).to.equal(5)
    const status = await funkctl(['status', '--json', '--endpoint', t.endpoint('a'), '--token', 'tok'])
    expect(JSON.parse(status.stdout)).to.include({ nodeId: 'a', role: 'Leader' })
  })

  it('a wrong or missing token exits 4 with a message', async () => {
    const [wrong, missing] = await Promise.all([
      funkctl(['status', '--endpoint', t.endpoint('a'), '--token', 'nope']),
      funkctl(['nodes', '--endpoint', t.endpoint('a')])
    ])
    for (const r of [wrong, missing]) {
      expect(r.code).to.equal(4)
      expect(r.stderr).to.match(/^funkctl: the cluster refused the token .*FUNKCTL_TOKEN\n$/)
    }
  })

  it('takes the token and endpoint from FUNKCTL_TOKEN and FUNKCTL_ENDPOINT', async () => {
    const r = await funkctl(['status', '--json'], { FUNKCTL_TOKEN: 'tok', FUNKCTL_ENDPOINT: t.endpoint('c') })
    expect(JSON.parse(r.stdout)).to.include({ nodeId: 'c' })
  })

  it('an unreachable endpoint (a closed port) exits 3 with a message', async () => {
    const port = await closedPort()
    const r = await funkctl(['status', '--endpoint', `127.0.0.1:${port}`, '--timeout', '3s'])
    expect(r.code).to.equal(3)
    expect(r.stderr).to.equal(`funkctl: cannot reach 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`)
  })

  it('bad arguments exit 2 with a one-line message and no stack', async () => {
    const runs = await Promise.all([
      funkctl(['frobnicate', ...ep]),
      funkctl(['node', 'rm', ...ep]),
      funkctl(['status', '--endpoint', 'localhost']),
      funkctl(['status', '--timeout', 'soon', ...ep]),
      funkctl(['node', 'add', 'd', 'not-an-address', ...ep]),
      funkctl(['status'])
    ])
    expect(runs.map(r => r.code)).to.deep.equal([2, 2, 2, 2, 2, 2])
    expect(runs.map(r => r.stderr.split('\n')[0])).to.deep.equal([
      'funkctl: unknown command \'frobnicate\'',
      'funkctl: missing required argument \'id\'',
      'funkctl: --endpoint must be host:port (such as 127.0.0.1:9090), not "localhost"',
      'funkctl: --timeout must be a duration such as 500ms, 5s or 1m (at most 1h), not "soon"',
      'funkctl: the node address must be host:port, not "not-an-address"',
      'funkctl: no endpoint: pass --endpoint host:port, or --cluster <name> to find one by zeroconf'
    ])
    for (const r of runs) expect(r.stderr).not.to.match(/\n\s+at /)
  })

  it('watch prints events as they happen and exits 0 on SIGINT', async () => {
    const source = t.cluster.source('b')
    const before = source.subscribers()
    const watching = start(['watch', ...ep])
    await waitFor(() => source.subscribers() === before + 1, { timeoutMs: 15_000, what: 'funkctl watch to subscribe' })
    t.cluster.kill('c')
    await waitFor(() => watching.stdout().split('\n').filter(l => l !== '' && !l.startsWith('snapshot')).length >= 4, { timeoutMs: 10_000, what: 'four event lines' })
    watching.child.kill('SIGINT')
    const r = await watching.done
    t.cluster.revive('c')
    expect(r).to.include({ code: 0, signal: null, stderr: '' })
    const all = r.stdout.trimEnd().split('\n')
    // First the snapshot: the node's status and every node, each line naming the node watched.
    expect(all[0]).to.match(/^snapshot {2}b {2}role=Follower state=Operational leader=a map=1 term=\d+$/)
    // (c may already be dead in it: the stream is open before the snapshot is taken, so no event is lost.)
    expect(all.slice(1, 4).map(l => l.split(' ').slice(0, 6).join(' '))).to.deep.equal(['a', 'b', 'c'].map(id => `snapshot  b  node=${id} suffrage=Voter`))
    const events = all.filter(l => !l.startsWith('snapshot'))
    expect(events.slice(0, 4).map(l => l.replace(/^\S+ {2}/, ''))).to.deep.equal([
      'b  node:dead      node=c',
      'b  state:change   state=Resharding',
      'b  shards:change  version=2 shards=1000',
      'b  state:change   state=Operational'
    ])
    expect(events[0]).to.match(/^\d{4}-\d\d-\d\dT/)
  })

  it('watch --json prints one JSON object a line', async () => {
    const source = t.cluster.source('a')
    const watching = start(['watch', '--json', '--endpoint', t.endpoint('a'), '--token', 'tok'])
    await waitFor(() => source.subscribers() === 1, { timeoutMs: 15_000, what: 'funkctl watch to subscribe' })
    t.cluster.leave('c')
    await waitFor(() => watching.stdout().split('\n').length > 2, { timeoutMs: 10_000, what: 'the snapshot and an event line' })
    watching.child.kill('SIGINT')
    const r = await watching.done
    t.cluster.join('c')
    expect(r.code).to.equal(0)
    const [snapshot, event] = r.stdout.split('\n').map(l => l === '' ? undefined : JSON.parse(l) as Record<string, unknown>)
    expect(snapshot).to.deep.include({ type: 'snapshot', node: 'a' })
    expect((snapshot?.status as { role: string }).role).to.equal('Leader')
    expect(snapshot?.nodes).to.have.length(3)
    expect(event).to.deep.include({ node: 'a', type: 'node:leave', nodeId: 'c' })
  })
})
