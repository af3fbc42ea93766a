import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import type { Cluster } from '../../src/index.js'
import { TEST_SHARDS, TestNodes, waitForAgreement } from './helpers.js'
import { freePorts } from '@clusterfunk/core/testing'
import { NodeProcess } from './process.js'

describe('Cluster nodes in processes of their own', function () {
  this.timeout(60_000)
  const t = new TestNodes()
  const processes: NodeProcess[] = []

  afterEach(async () => {
    for (const p of processes) {
      p.kill()
      await p.exited(5_000)
    }
    processes.length = 0
    await t.cleanup()
  })

  it('stop() releases every socket, timer and file: the process exits on its own', async () => {
    const node = new NodeProcess({ name: 'test', nodeId: 'solo', dataDir: await t.dir(), bootstrapExpect: 1, zeroconf: false, swimPort: 0, swimPreset: 'local', shards: TEST_SHARDS, metricsPort: 0 })
    processes.push(node)
    await node.message('ready')
    await node.message('operational')
    node.stop()
    const stopped = await node.message('stopped')
    const ended = await node.exited(10_000)
    expect(ended, `still open after stop: ${JSON.stringify(stopped.resources)}`).to.equal(true)
    // The exit is the proof: a socket, timer or file handle left open would keep the process alive. (The list the
    // node prints right after stop() may still name sockets that are closing; it is only there to explain a failure.)
    expect(node.exitCode).to.equal(0)
  })

  it('a node killed with kill -9 is left out of the map by the liveness checker, and the rest stay Operational', async () => {
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 2 })
    await a.start()
    const b = await t.create({ nodeId: 'b', bootstrapExpect: 2, join: [a.swimAddress()] })
    await b.start()
    await waitForAgreement([a, b], ['a', 'b'])
    const c = new NodeProcess({ name: 'test', nodeId: 'c', dataDir: await t.dir(), join: [a.swimAddress()], zeroconf: false, swimPort: 0, swimPreset: 'local', shards: TEST_SHARDS })
    processes.push(c)
    await c.message('ready')
    await waitForAgreement([a, b], ['a', 'b', 'c'])
    await c.message('operational')
    const dead: string[] = []
    for (const n of [a, b]) n.addEventListener('node:dead', e => { dead.push(`${n.nodeId}:${e.detail.nodeId}`) })
    const leader = [a, b].find(n => n.role === 'Leader') as Cluster
    c.child.kill('SIGKILL')
    await waitForAgreement([a, b], ['a', 'b'])
    expect(dead).to.include(`${leader.nodeId}:c`)
    expect(a.state).to.equal('Operational')
    expect(b.state).to.equal('Operational')
    expect(a.shards.shardsOf('a').length + b.shards.shardsOf('b').length).to.equal(TEST_SHARDS)
  })

  it('a node restarted with the same data directory keeps its id and rejoins without a second bootstrap', async () => {
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 3 })
    await a.start()
    const b = await t.create({ nodeId: 'b', bootstrapExpect: 3, join: [a.swimAddress()] })
    const dir = await t.dir()
    const c = await t.create({ dataDir: dir, bootstrapExpect: 3, join: [a.swimAddress()] })
    await Promise.all([b.start(), c.start()])
    const id = c.nodeId
    expect(id).to.match(/^node-[0-9a-f]{12}$/)
    await waitForAgreement([a, b, c], ['a', 'b', id])
    expect([a, b, c].filter(n => n.bootstrapped).map(n => n.nodeId)).to.deep.equal(['a'])
    await c.stop()
    await waitForAgreement([a, b], ['a', 'b'])
    const again = await t.create({ dataDir: dir, bootstrapExpect: 3, join: [b.swimAddress()] })
    await again.start()
    expect(again.nodeId).to.equal(id)
    await waitForAgreement([a, b, again], ['a', 'b', id])
    expect(again.bootstrapped).to.equal(false)
    await waitFor(() => again.role === 'Follower', { timeoutMs: 10_000, what: 'the restarted node to be a voter again' })
    expect([a, b].filter(n => n.role === 'Leader')).to.have.length(1)
  })

  it('a node killed with kill -9 and restarted from its data directory (new Raft port, same SWIM port) is taken back in', async () => {
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 2 })
    await a.start()
    const b = await t.create({ nodeId: 'b', bootstrapExpect: 2, join: [a.swimAddress()] })
    await b.start()
    const dataDir = await t.dir()
    const init = { name: 'test', nodeId: 'c', dataDir, join: [a.swimAddress()], zeroconf: false, swimPort: (await freePorts(1))[0], swimPreset: 'local' as const, shards: TEST_SHARDS }
    const first = new NodeProcess(init)
    processes.push(first)
    await waitForAgreement([a, b], ['a', 'b', 'c'])
    first.child.kill('SIGKILL')
    await waitForAgreement([a, b], ['a', 'b'])
    const second = new NodeProcess(init)
    processes.push(second)
    await second.message('ready')
    await waitForAgreement([a, b], ['a', 'b', 'c'])
    await second.message('operational')
    // Serving the map does not wait for the promotion: the leader adds a
    // returning node as a non-voter and promotes it once it has answered.
    const suffrageOfC = (): string | undefined => [a, b].find(n => n.role === 'Leader')?.nodes().find(n => n.id === 'c')?.suffrage
    await waitFor(() => suffrageOfC() === 'Voter', { timeoutMs: 10_000, what: 'c promoted back to a voter' })
    const leader = [a, b].find(n => n.role === 'Leader') as Cluster
    const c = leader.nodes().find(n => n.id === 'c')
    expect(c?.suffrage).to.equal('Voter')
    expect(c?.endpoints.raft).to.equal(second.messages.find(m => m.event === 'ready')?.raft)
    expect(c?.endpoints.raft).to.not.equal(first.messages.find(m => m.event === 'ready')?.raft)
    expect([a, b].filter(n => n.bootstrapped).map(n => n.nodeId)).to.deep.equal(['a'])
  })
})
