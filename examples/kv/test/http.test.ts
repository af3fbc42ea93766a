import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { FORWARDED_BY, KvHttpServer, type KvHttpInit } from '../src/http.js'
import { ShardedStore } from '../src/store.js'
import { FakeView } from './fake-view.js'

describe('KvHttpServer', function () {
  this.timeout(10_000)
  const servers: KvHttpServer[] = []

  afterEach(async () => {
    await Promise.all(servers.map(async s => { await s.stop() }))
    servers.length = 0
  })

  async function node (id: string, init: KvHttpInit = {}): Promise<{ view: FakeView, server: KvHttpServer }> {
    const view = new FakeView(id)
    const server = new KvHttpServer(view, new ShardedStore(), init)
    await server.start()
    servers.push(server)
    return { view, server }
  }

  /** Two nodes that agree: key "aa" (shard 2) on a, "bbb" (shard 3) on b. */
  async function pair (): Promise<{ a: { view: FakeView, server: KvHttpServer }, b: { view: FakeView, server: KvHttpServer } }> {
    const a = await node('a')
    const b = await node('b')
    for (const n of [a, b]) {
      n.view.owners.set('aa', 'a')
      n.view.owners.set('bbb', 'b')
      n.view.endpoints.set('a', a.server.url())
      n.view.endpoints.set('b', b.server.url())
    }
    return { a, b }
  }

  it('serves a key it owns from its own store and says so', async () => {
    const { a } = await pair()
    const put = await fetch(`${a.server.url()}/kv/aa`, { method: 'PUT', body: 'hello' })
    expect(put.status).to.equal(204)
    expect(put.headers.get('x-served-by')).to.equal('a')
    const get = await fetch(`${a.server.url()}/kv/aa`)
    expect(get.status).to.equal(200)
    expect(await get.text()).to.equal('hello')
    expect(get.headers.get('x-served-by')).to.equal('a')
    expect(get.headers.get('x-kv-via')).to.equal(null)
  })

  it('forwards a key owned elsewhere one hop to the owner, which serves it', async () => {
    const { a, b } = await pair()
    const put = await fetch(`${a.server.url()}/kv/bbb`, { method: 'PUT', body: 'on b' })
    expect(put.status).to.equal(204)
    expect(put.headers.get('x-served-by')).to.equal('b')
    expect(put.headers.get('x-kv-via')).to.equal('a')
    const direct = await fetch(`${b.server.url()}/kv/bbb`)
    expect(await direct.text()).to.equal('on b')
    expect(a.server.counters).to.deep.include({ forwarded: 1, local: 0 })
    expect(b.server.counters.local).to.equal(2)
  })

  it('answers 503 with Retry-After instead of forwarding again when two maps disagree', async () => {
    const { a, b } = await pair()
    // Stale maps: each thinks the other owns "cccc" (shard 4).
    a.view.owners.set('cccc', 'b')
    b.view.owners.set('cccc', 'a')
    const res = await fetch(`${a.server.url()}/kv/cccc`)
    expect(res.status).to.equal(503)
    expect(res.headers.get('retry-after')).to.equal('1')
    expect(await res.text()).to.include('belongs to a')
    expect(a.server.counters.forwarded).to.equal(1)
    expect(b.server.counters).to.deep.include({ forwarded: 0, unavailable: 1 })
  })

  it('refuses to forward a request that arrives marked as forwarded', async () => {
    const { a } = await pair()
    const res = await fetch(`${a.server.url()}/kv/bbb`, { headers: { [FORWARDED_BY]: 'b' } })
    expect(res.status).to.equal(503)
    expect(a.server.counters.forwarded).to.equal(0)
  })

  it('holds a request while the node is not Operational and serves it once it is', async () => {
    const { a } = await pair()
    a.view.state = 'Resharding'
    const pending = fetch(`${a.server.url()}/kv/aa`)
    await waitFor(() => a.view.listeners.size > 0, { timeoutMs: 2_000, what: 'the request to wait for Operational' })
    a.view.setState('Operational')
    const res = await pending
    expect(res.status).to.equal(404)
    expect(res.headers.get('x-served-by')).to.equal('a')
    expect(a.view.listeners.size).to.equal(0)
  })

  it('answers 503 with Retry-After when the node stays not Operational past the wait', async () => {
    const a = await node('a', { waitMs: 50 })
    a.view.owners.set('aa', 'a')
    a.view.state = 'Voting'
    const res = await fetch(`${a.server.url()}/kv/aa`)
    expect(res.status).to.equal(503)
    expect(res.headers.get('retry-after')).to.equal('1')
    expect(await res.text()).to.include('is Voting, not Operational')
    expect(a.view.listeners.size).to.equal(0)
  })

  it('answers 503 when the owner cannot be reached', async () => {
    const { a, b } = await pair()
    await b.server.stop()
    const res = await fetch(`${a.server.url()}/kv/bbb`)
    expect(res.status).to.equal(503)
    expect(await res.text()).to.include('owner b unreachable')
  })

  it('refuses other methods, an empty key and other paths', async () => {
    const { a } = await pair()
    const post = await fetch(`${a.server.url()}/kv/aa`, { method: 'POST', body: 'x' })
    expect(post.status).to.equal(405)
    expect(post.headers.get('allow')).to.equal('GET, PUT')
    expect((await fetch(`${a.server.url()}/kv/`)).status).to.equal(400)
    expect((await fetch(`${a.server.url()}/other`)).status).to.equal(404)
  })

  it('refuses a value over the size limit with 413', async () => {
    const a = await node('a', { maxBodyBytes: 8 })
    a.view.owners.set('aa', 'a')
    const res = await fetch(`${a.server.url()}/kv/aa`, { method: 'PUT', body: 'far too long a value' })
    expect(res.status).to.equal(413)
  })

  it('reports its node, state and entry count on /status', async () => {
    const { a } = await pair()
    await fetch(`${a.server.url()}/kv/aa`, { method: 'PUT', body: 'v' })
    const status = await (await fetch(`${a.server.url()}/status`)).json() as Record<string, unknown>
    expect(status).to.deep.equal({ nodeId: 'a', state: 'Operational', entries: 1 })
  })
})
