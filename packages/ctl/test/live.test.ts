import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { createCluster, type Cluster } from '@clusterfunk/cluster'
import { closedPort, funkctl, start } from './helpers.js'

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
    // On a busy machine a node's serving lease can lapse for a moment (Operational -> Voting -> Operational): ask until both answers say Operational.
    const [table, json] = await waitFor(async () => {
      const both = await Promise.all([funkctl(['status', ...at(f.nodeId)]), funkctl(['status', '--json', ...at(f.nodeId)])])
      return both.every(r => r.stdout.includes('Operational')) ? both : undefined
    }, { timeoutMs: 20_000, what: 'status answers while the follower is Operational' })
    expect(table.code, table.stderr).to.equal(0)
    expect(table.stdout, table.stdout).to.contain([
      'Cluster       live',
      `Node          ${f.nodeId}`,
      'Role          Follower',
      'State         Operational',
      `Leader        ${leader.nodeId}`,
      'Raft members  3: 3 Voter, 0 NonVoter (this node\'s configuration)'
    ].join('\n'))
    expect(table.stdout).to.match(/\nRaft term {5}[1-9]\d*\nRaft index {4}commit [1-9]\d*, applied [1-9]\d*\nSWIM members {2}3\n/)
    expect(table.stdout).to.contain([`Shards        ${SHARDS}`, `Shard map     version ${f.shards.version}`, 'Version       0.1.0'].join('\n'))
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
      callerAddress: '127.0.0.1',
      raftVoters: 3,
      version: '0.1.0'
    })
    const raft = JSON.parse(json.stdout) as { raftTerm: number, raftCommitIndex: number, raftAppliedIndex: number }
    expect(raft.raftTerm).to.be.above(0)
    expect(raft.raftCommitIndex).to.be.above(0)
    expect(raft.raftAppliedIndex).to.be.above(0).and.at.most(raft.raftCommitIndex)
  })

  it('nodes, asked of a follower, lists what the leader knows, as a table and as JSON', async () => {
    const f = follower()
    const [table, json] = await Promise.all([funkctl(['nodes', ...at(f.nodeId)]), funkctl(['nodes', '--json', ...at(f.nodeId)])])
    expect(table.code, table.stderr).to.equal(0)
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).to.match(/^NODE +SUFFRAGE +SWIM +LIVENESS +LEADER +GOSSIP +RAFT +MANAGEMENT +ENDPOINTS$/)
    for (const n of nodes) {
      const row = lines.find(l => l.startsWith(`${n.nodeId} `)) ?? ''
      expect(row, row).to.match(new RegExp(`  ${n.swimAddress()} +${n.raftAddress()} +${n.managementAddress()} +http=`))
    }
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

  it('status --cluster dials every member and lists its own status, as a table and as JSON', async () => {
    const f = follower()
    // Asked until every member says Operational at once (a lease can lapse for a moment on a busy machine).
    const [table, json] = await waitFor(async () => {
      const both = await Promise.all([funkctl(['status', '--cluster', ...at(f.nodeId)]), funkctl(['status', '--cluster', '--json', ...at(f.nodeId)])])
      return both.every(r => (r.stdout.match(/Operational/g) ?? []).length === IDS.length) ? both : undefined
    }, { timeoutMs: 20_000, what: 'status --cluster answers while every member is Operational' })
    expect(table.code, table.stderr).to.equal(0)
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).to.match(/^NODE +ADDRESS +SUFFRAGE +ROLE +STATE +TERM +COMMIT +APPLIED +MAP +LEADER +VERSION$/)
    expect(lines.slice(1).map(l => l.split(/ +/).slice(0, 3))).to.deep.equal(nodes.map(n => [n.nodeId, n.managementAddress(), 'Voter']))
    expect(json.code, json.stderr).to.equal(0)
    const members = JSON.parse(json.stdout) as Array<Record<string, unknown>>
    expect(members.map(m => [m.id, m.role, m.state, m.leaderId, m.version])).to.deep.equal(
      nodes.map(n => [n.nodeId, n.nodeId === leader.nodeId ? 'Leader' : 'Follower', 'Operational', leader.nodeId, '0.1.0']))
    for (const m of members) {
      expect(m.raftTerm).to.equal(members[0]?.raftTerm)
      expect(m.raftCommitIndex).to.be.a('number').above(0)
      expect(m.raftAppliedIndex).to.be.a('number').above(0)
      expect(m.shardMapVersion).to.equal(leader.shards.version)
      expect(m).not.to.have.property('error')
    }
  })

  it('nodes --status and --tag filter as serf members does, and a bad filter is a usage error', async () => {
    const alive = await funkctl(['nodes', '--json', '--status', 'alive', ...at('a')])
    expect((JSON.parse(alive.stdout) as Array<{ id: string }>).map(n => n.id)).to.deep.equal([...IDS])
    const none = await funkctl(['nodes', '--json', '--status', 'dead|left', ...at('a')])
    expect(JSON.parse(none.stdout)).to.deep.equal([])
    const tagged = await funkctl(['nodes', '--tag', 'http=.*:8081', ...at('a')])
    expect(tagged.code, tagged.stderr).to.equal(0)
    expect(tagged.stdout.trimEnd().split('\n').slice(1).map(l => l.split(' ')[0])).to.deep.equal(['b'])
    const both = await funkctl(['nodes', '--json', '--tag', 'http=.*', '--tag', 'ep.http=.*:808[02]', ...at('a')])
    expect((JSON.parse(both.stdout) as Array<{ id: string }>).map(n => n.id)).to.deep.equal(['a', 'c'])
    const bad = await funkctl(['nodes', '--tag', 'novalue', ...at('a')])
    expect(bad.code).to.equal(2)
    expect(bad.stderr).to.equal('funkctl: --tag must be key=value (such as http=.*:8080), not "novalue"\n')
  })

  it('watch starts with a snapshot of the node and every node, and names the node on every line', async () => {
    const f = follower()
    const watching = start(['watch', ...at(f.nodeId)])
    await waitFor(() => watching.stdout().split('\n').length > IDS.length + 1, { timeoutMs: 15_000, what: 'the snapshot lines' })
    watching.child.kill('SIGINT')
    const r = await watching.done
    expect(r.code, r.stderr).to.equal(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).to.match(new RegExp(`^snapshot  ${f.nodeId}  role=Follower state=Operational leader=${leader.nodeId} map=\\d+ term=[1-9]\\d*$`))
    expect(lines.slice(1, 1 + IDS.length).map(l => l.split(' ').slice(0, 5).join(' '))).to.deep.equal(IDS.map(id => `snapshot  ${f.nodeId}  node=${id}`))
    for (const l of lines.slice(1 + IDS.length)) expect(l.split(/ +/)[1]).to.equal(f.nodeId)
  })

  it('completion prints a bash and a zsh script built from the commands, and refuses another shell', async () => {
    const [bash, zsh, fish] = await Promise.all([funkctl(['completion', 'bash']), funkctl(['completion', 'zsh']), funkctl(['completion', 'fish'])])
    expect(bash.code).to.equal(0)
    expect(bash.stdout).to.contain('complete -F _funkctl_complete funkctl')
    expect(bash.stdout).to.match(/"status"\) words="[^"]*--cluster/)
    expect(bash.stdout).to.match(/"nodes"\) words="[^"]*--status[^"]*--tag/)
    expect(bash.stdout).to.match(/"node"\) words="add rm remove /)
    expect(zsh.stdout).to.match(/^#compdef funkctl\n/)
    expect(zsh.stdout).to.contain('bashcompinit')
    // The script completes in a real bash: subcommands, then a command's options.
    const complete = async (words: string[]): Promise<string> => {
      const script = `${bash.stdout}\nCOMP_WORDS=(${words.map(w => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _funkctl_complete; echo "\${COMPREPLY[*]}"`
      return (await promisify(execFile)('bash', ['-c', script], { timeout: 10_000 })).stdout.trim()
    }
    expect((await complete(['funkctl', 'no'])).split(' ').sort()).to.deep.equal(['node', 'nodes'])
    expect(await complete(['funkctl', 'nodes', '--s'])).to.equal('--status')
    expect(await complete(['funkctl', 'node', 'a'])).to.equal('add')
    expect(fish.code).to.equal(2)
    expect(fish.stderr).to.equal('funkctl: completion is for bash or zsh, not "fish"\n')
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
