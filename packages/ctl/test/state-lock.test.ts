import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { createCluster, type Cluster } from '@clusterfunk/cluster'
import { funkctl, start } from './helpers.js'

const TOKEN = 'state-lock-token'

describe('funkctl state and lock against a live cluster', function () {
  this.timeout(60_000)
  const nodes: Cluster[] = []
  const dirs: string[] = []

  const at = (node: Cluster): string[] => ['--endpoint', node.managementAddress(), '--token', TOKEN]
  const follower = (): Cluster => nodes.find(n => n.role === 'Follower') as Cluster

  before(async () => {
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-ctl-state-'))
      dirs.push(dataDir)
      const node = createCluster({
        name: 'statelock', nodeId: id, dataDir, zeroconf: false, swimPort: 0, swimPreset: 'local', shards: 256, token: TOKEN, bootstrapExpect: 3,
        ...(i === 0 ? {} : { join: [nodes[0]?.swimAddress() ?? ''] })
      })
      nodes.push(node)
      await node.start()
    }
    await waitFor(() => nodes.every(n => n.state === 'Operational') && nodes.some(n => n.role === 'Leader'), { timeoutMs: 30_000, intervalMs: 20, what: 'three Operational nodes' })
  })

  after(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  it('state put through a follower, then get, list and del, as text and JSON', async () => {
    const put = await funkctl(['state', 'put', 'app/mode', 'green', '--json', ...at(follower())])
    expect(put.code, put.stderr).to.equal(0)
    const { revision } = JSON.parse(put.stdout) as { revision: number }
    expect(revision).to.be.greaterThan(0)
    const get = await funkctl(['state', 'get', 'app/mode', '--consistent', ...at(follower())])
    expect(get.code, get.stderr).to.equal(0)
    expect(get.stdout).to.equal('green\n')
    const json = await funkctl(['state', 'get', 'app/mode', '--consistent', '--json', ...at(follower())])
    expect(JSON.parse(json.stdout)).to.deep.include({ found: true, key: 'app/mode', value: 'green', encoding: 'utf8', revision })
    const list = await funkctl(['state', 'list', 'app/', '--json', ...at(follower())])
    expect((JSON.parse(list.stdout) as { entries: Array<{ key: string }> }).entries.map(e => e.key)).to.deep.equal(['app/mode'])
    const stale = await funkctl(['state', 'put', 'app/mode', 'red', '--expect', String(revision + 5), ...at(follower())])
    expect(stale.code).to.equal(5)
    expect(stale.stderr).to.contain(`is at revision ${revision}`)
    const del = await funkctl(['state', 'del', 'app/mode', '--expect', String(revision), ...at(follower())])
    expect(del.code, del.stderr).to.equal(0)
    const gone = await funkctl(['state', 'get', 'app/mode', '--consistent', '--json', ...at(follower())])
    expect(JSON.parse(gone.stdout)).to.deep.equal({ key: 'app/mode', found: false })
    expect((await funkctl(['state', 'put', 'k', 'v', '--expect', 'x', ...at(follower())])).code).to.equal(2)
  })

  it('state watch streams writes from a revision as JSON lines until interrupted', async () => {
    const first = await follower().sharedState.put('w/a', '1')
    await follower().sharedState.put('w/b', '2')
    const watching = start(['state', 'watch', 'w/', '--from', String(first.revision), '--json', ...at(follower())])
    await follower().sharedState.put('w/c', '3')
    await waitFor(() => watching.stdout().split('\n').filter(l => l !== '').length >= 3, { timeoutMs: 20_000, what: 'three changes printed' })
    watching.child.kill('SIGINT')
    const out = await watching.done
    const lines = out.stdout.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as { key: string, value: string, revision: number })
    expect(lines.map(l => [l.key, l.value])).to.deep.equal([['w/a', '1'], ['w/b', '2'], ['w/c', '3']])
  })

  it('lock list shows the holder and token; lock release ends the lease and the holder hears it', async () => {
    const lease = await follower().locks.acquire('deploy', { ttlMs: 5_000 })
    const list = await funkctl(['lock', 'list', '--json', ...at(follower())])
    expect(list.code, list.stderr).to.equal(0)
    const locks = JSON.parse(list.stdout) as Array<{ name: string, holder: { token: number, node: string } }>
    expect(locks.find(l => l.name === 'deploy')?.holder).to.deep.include({ token: lease.token, node: follower().nodeId })
    const table = await funkctl(['lock', 'list', ...at(follower())])
    expect(table.stdout).to.match(/^LOCK\s+TOKEN/)
    const release = await funkctl(['lock', 'release', 'deploy', String(lease.token), '--json', ...at(follower())])
    expect(release.code, release.stderr).to.equal(0)
    await waitFor(() => lease.signal.aborted, { timeoutMs: 10_000, what: 'the holder hears its lease ended' })
    const again = await funkctl(['lock', 'release', 'deploy', String(lease.token), ...at(follower())])
    expect(again.code).to.equal(5)
  })
})
