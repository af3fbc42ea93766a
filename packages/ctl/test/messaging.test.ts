import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { createCluster, type Cluster, type UserEvent } from '@clusterfunk/cluster'
import { funkctl } from './helpers.js'
import { parseTags } from '../src/query.js'
import { formatInfo } from '../src/info.js'

const TOKEN = 'ctl-messaging-token'

describe('funkctl event, query, info and request against a live cluster', function () {
  this.timeout(40_000)
  const nodes: Cluster[] = []
  const dirs: string[] = []
  const at = (id: string): string[] => ['--endpoint', (nodes.find(n => n.nodeId === id) as Cluster).managementAddress(), '--token', TOKEN]

  before(async () => {
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-ctl-msg-'))
      dirs.push(dataDir)
      const node = createCluster({
        name: 'msg', nodeId: id, dataDir, zeroconf: false, swimPort: 0, swimPreset: 'local', shards: 64, token: TOKEN,
        ...(i === 0 ? {} : { join: [nodes[0]?.swimAddress() ?? ''] })
      })
      node.setMemberInfo({ zone: i === 2 ? 'us' : 'eu', n: String(i) })
      node.handleQuery('whoami', () => new Uint8Array(Buffer.from(`I am ${id}`)))
      node.handle('echo', (payload: Uint8Array) => new Uint8Array(Buffer.from(`${id} got ${Buffer.from(payload).toString('utf8')}`)))
      nodes.push(node)
      await node.start()
    }
    await waitFor(() => nodes.every(n => n.membersInfo().length === 3 && n.membersInfo().every(m => m.info.zone !== undefined)), { timeoutMs: 20_000, what: 'three members with their info' })
  })

  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('info lists every node\'s member info, or one node\'s, as a table and as JSON', async () => {
    const [table, one] = await Promise.all([funkctl(['info', ...at('a')]), funkctl(['info', 'c', '--json', ...at('a')])])
    expect(table.code, table.stderr).to.equal(0)
    expect(table.stdout).to.equal('NODE  INFO\na     n=0 zone=eu\nb     n=1 zone=eu\nc     n=2 zone=us\n')
    expect(JSON.parse(one.stdout)).to.deep.equal({ nodeId: 'c', info: { n: '2', zone: 'us' } })
    const unknown = await funkctl(['info', 'zz', ...at('a')])
    expect(unknown.code).to.equal(5)
    expect(unknown.stderr).to.contain('unknown node zz')
  })

  it('event fires a user event every node receives', async () => {
    const seen = new Map<string, UserEvent>()
    for (const n of nodes) n.addEventListener('event:user', e => { if (e.detail.name === 'deploy') seen.set(n.nodeId, e.detail) })
    const out = await funkctl(['event', 'deploy', 'v9', '--json', ...at('b')])
    expect(out.code, out.stderr).to.equal(0)
    const { ltime } = JSON.parse(out.stdout) as { ltime: number }
    await waitFor(() => seen.size === 3, { timeoutMs: 20_000 })
    for (const e of seen.values()) expect(e).to.deep.include({ origin: 'b', ltime })
  })

  it('query prints each node\'s ack and response; --node and --tag filter', async () => {
    const all = await funkctl(['query', 'whoami', '--timeout', '1s', ...at('a')])
    expect(all.code, all.stderr).to.equal(0)
    const responses = all.stdout.split('\n').filter(l => l.startsWith('response')).sort()
    expect(responses).to.deep.equal(['response  a  "I am a"', 'response  b  "I am b"', 'response  c  "I am c"'])
    const eu = await funkctl(['query', 'whoami', '--tag', 'info.zone=eu', '--timeout', '1s', '--json', ...at('c')])
    const parsed = JSON.parse(eu.stdout) as { replies: Array<{ from: string, type: string }> }
    expect(parsed.replies.filter(r => r.type === 'response').map(r => r.from).sort()).to.deep.equal(['a', 'b'])
    const one = await funkctl(['query', 'whoami', '--node', 'c', '--timeout', '5s', ...at('a')])
    expect(one.stdout.split('\n').filter(l => l.startsWith('response'))).to.deep.equal(['response  c  "I am c"'])
    const bad = await funkctl(['query', 'whoami', '--tag', 'novalue', ...at('a')])
    expect(bad.code).to.equal(2)
  })

  it('request sends to one node\'s handler (dialled at its own management endpoint) and prints its answer; an unknown node or topic is an error', async () => {
    const text = await funkctl(['request', 'c', 'echo', 'hello', ...at('a')])
    expect(text.code, text.stderr).to.equal(0)
    expect(text.stdout).to.equal('c got hello\n')
    const asJson = await funkctl(['request', 'b', 'echo', 'x', '--base64', '--json', ...at('a')])
    expect(JSON.parse(asJson.stdout)).to.deep.equal({ node: 'b', topic: 'echo', bytes: 7, answer: Buffer.from('b got x').toString('base64'), encoding: 'base64' })
    const unknown = await funkctl(['request', 'zz', 'echo', ...at('a')])
    expect(unknown.code).to.equal(5)
    expect(unknown.stderr).to.contain('unknown node zz')
    const noHandler = await funkctl(['request', 'b', 'nothing-here', ...at('a')])
    expect(noHandler.code).to.equal(5)
    expect(noHandler.stderr).to.contain('nothing-here')
  })

  it('parses tag filters and formats info (pure parts)', () => {
    expect(parseTags(['a=1', 'b=x=y', 'c='])).to.deep.equal({ a: '1', b: 'x=y', c: '' })
    expect(() => parseTags(['=v'])).to.throw(/key=value/)
    expect(formatInfo([])).to.equal('(no live nodes)\n')
  })
})
