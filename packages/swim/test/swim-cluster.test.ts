import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import type { Member } from '../src/index.js'
import { Swim } from '../src/index.js'
import { fastInit, startCluster, stopAll } from './swim-helpers.js'

describe('Swim on real sockets', () => {
  let nodes: Swim[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  it('eight members joining through one all list all eight as alive', async () => {
    nodes = await startCluster(8, 'c')
    for (const n of nodes) {
      expect(n.members().map(m => m.id).sort()).to.deep.equal(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'])
      expect(n.members().every(m => m.status === 'alive')).to.equal(true)
    }
  })

  it('tags set at runtime reach every member', async () => {
    nodes = await startCluster(5, 't')
    const target = nodes[2] as Swim
    target.setTags({ 'ep.http': 'http://127.0.0.1:8080', role: 'worker' })
    await waitFor(() => nodes.every(n => n.member('t2')?.tags.get('role') === 'worker'), { timeoutMs: 10_000, what: 'tags to spread' })
    for (const n of nodes) expect(n.member('t2')?.tags.get('ep.http')).to.equal('http://127.0.0.1:8080')
  })

  it('a graceful leave is seen by every other member as member:leave, never member:failed', async () => {
    nodes = await startCluster(5, 'l')
    const leaver = nodes[4] as Swim
    const seen: Array<{ by: string, type: string, id: string }> = []
    for (const n of nodes.slice(0, 4)) {
      n.addEventListener('member:leave', e => { seen.push({ by: n.id, type: 'leave', id: e.detail.id }) })
      n.addEventListener('member:failed', e => { seen.push({ by: n.id, type: 'failed', id: e.detail.id }) })
    }
    expect(await leaver.leave({ timeoutMs: 5000 })).to.equal(true)
    await leaver.stop()
    await waitFor(() => nodes.slice(0, 4).every(n => n.member('l4')?.status === 'left'), { timeoutMs: 10_000, what: 'the leave to be seen' })
    expect(seen.filter(s => s.type === 'leave').map(s => s.by).sort()).to.deep.equal(['l0', 'l1', 'l2', 'l3'])
    expect(seen.filter(s => s.type === 'failed')).to.deep.equal([])
  })

  it('a member restarted under its name is alive again at its seed as soon as join resolves', async () => {
    nodes = await startCluster(3, 'r')
    const seed = nodes[0] as Swim
    const port = Number((nodes[2] as Swim).address().split(':').at(-1))
    await (nodes[2] as Swim).stop()
    await waitFor(() => seed.member('r2')?.status === 'dead', { timeoutMs: 15_000, what: 'the seed to mark r2 dead' })
    // Same name, same address: the alive news it joins with (incarnation 1) is not newer than what the seed holds.
    const restarted = new Swim({}, fastInit('r2', { port }))
    nodes[2] = restarted
    await restarted.start()
    expect(await restarted.join([seed.address()])).to.equal(1)
    // The cluster knew r2 as dead at the incarnation it restarted with: its refutation went to the seed in the join itself.
    expect(restarted.localMember().incarnation).to.be.greaterThan(1)
    expect(seed.member('r2')).to.include({ status: 'alive', address: restarted.address() })
  })

  it('join rejects with a JoinError naming every address when none answers', async () => {
    const lonely = new Swim({}, fastInit('lonely'))
    nodes = [lonely]
    await lonely.start()
    const other = new Swim({}, fastInit('gone'))
    await other.start()
    const deadAddress = other.address()
    await other.stop()
    const err = await lonely.join([deadAddress]).then(() => undefined, (e: unknown) => e)
    expect(err).to.have.property('name', 'JoinError')
    expect((err as Error).message).to.include(deadAddress)
  })

  it('join rejects addresses that are not host:port and stops waiting when its signal fires', async () => {
    const a = new Swim({}, fastInit('ja'))
    nodes = [a]
    await a.start()
    const bad = await a.join(['localhost:7946']).then(() => undefined, (e: unknown) => e)
    expect(bad).to.have.property('name', 'InvalidArgumentError')
    const aborted = await a.join(['127.0.0.1:9'], { signal: AbortSignal.abort() }).then(() => undefined, (e: unknown) => e)
    expect(aborted).to.have.property('name', 'AbortError')
  })

  it('events() yields member events until its signal fires', async () => {
    const a = new Swim({}, fastInit('ea'))
    const b = new Swim({}, fastInit('eb'))
    nodes = [a, b]
    await a.start()
    await b.start()
    const controller = new AbortController()
    const iterator = a.events({ signal: controller.signal })
    await b.join([a.address()])
    const first = await iterator.next()
    expect(first.value).to.deep.include({ type: 'member:join' })
    expect((first.value as { detail: Member }).detail.id).to.equal('eb')
    controller.abort()
    const after = await iterator.next().then(r => r, (e: unknown) => e)
    expect(after).to.satisfy((v: unknown) => (v instanceof Error && v.name === 'AbortError') || (v as IteratorResult<unknown>).done === true)
  })

  it('localMember() shows this node alive with its tags, and start/stop are idempotent', async () => {
    const a = new Swim({}, fastInit('solo', { tags: { zone: 'a' } }))
    nodes = [a]
    await a.start()
    await a.start()
    expect(a.localMember()).to.deep.include({ id: 'solo', status: 'alive' })
    expect(a.localMember().tags.get('zone')).to.equal('a')
    expect(a.address()).to.equal(`127.0.0.1:${a.port()}`)
    await a.stop()
    await a.stop()
    expect(() => a.members()).to.throw().with.property('name', 'NotStartedError')
  })
})

describe('Swim with large tags', () => {
  let nodes: Swim[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  it('tags of nearly 4 KiB set at runtime (too big for a datagram) reach every member over streams', async () => {
    nodes = await startCluster(4, 'big')
    const tags = { blob: 'x'.repeat(4000), 'ep.http': 'http://127.0.0.1:1' }
    ;(nodes[1] as Swim).setTags(tags)
    await waitFor(() => nodes.every(n => n.member('big1')?.tags.get('blob')?.length === 4000), { timeoutMs: 10_000, what: 'the large tags to spread' })
    expect(nodes.every(n => n.member('big1')?.tags.get('ep.http') === 'http://127.0.0.1:1')).to.equal(true)
  })
})
