import { connect } from 'node:net'
import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { DEADLINE, FORWARDED_BY, KvHttpServer, MAP_VERSION, type KvHttpInit } from '../src/http.js'
import { ShardedStore } from '../src/store.js'

/** Writes `request` on a raw socket and resolves with what the server sent until it closed (or `timeoutMs`), and when. */
async function raw (url: string, request: string, timeoutMs: number): Promise<{ text: string, ms: number, closed: boolean }> {
  const { port } = new URL(url)
  const t0 = performance.now()
  return await new Promise(resolve => {
    const socket = connect(Number(port), '127.0.0.1')
    let text = ''
    const timer = setTimeout(() => { socket.destroy(); resolve({ text, ms: performance.now() - t0, closed: false }) }, timeoutMs)
    socket.on('data', chunk => { text += chunk.toString() })
    socket.on('error', () => {})
    socket.on('close', () => { clearTimeout(timer); resolve({ text, ms: performance.now() - t0, closed: true }) })
    socket.write(request)
  })
}
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
    const res = await fetch(`${a.server.url()}/kv/bbb`, { headers: { [FORWARDED_BY]: 'b', [MAP_VERSION]: '1', [DEADLINE]: String(Date.now() + 5_000) } })
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

  it('holds any number of waiting requests on one state listener', async () => {
    const { a } = await pair()
    a.view.state = 'Resharding'
    const pending = Array.from({ length: 20 }, async () => await fetch(`${a.server.url()}/kv/aa`))
    await waitFor(() => a.server.waiters.size === 20, { timeoutMs: 5_000, what: 'twenty requests to wait for Operational' })
    expect(a.view.listeners.size).to.equal(1)
    a.view.setState('Operational')
    const answers = await Promise.all(pending)
    expect(answers.map(r => r.status)).to.deep.equal(Array.from({ length: 20 }, () => 404))
    expect(a.view.listeners.size).to.equal(0)
  })

  it('does not apply a forwarded write that reaches the owner after the forwarder gave up on it', async () => {
    const a = await node('a', { forwardTimeoutMs: 200 })
    const b = await node('b', { waitMs: 5_000 })
    for (const n of [a, b]) {
      n.view.owners.set('bbb', 'b')
      n.view.endpoints.set('b', b.server.url())
    }
    expect((await fetch(`${b.server.url()}/kv/bbb`, { method: 'PUT', body: 'v1' })).status).to.equal(204)
    // The owner stalls (a reshard here; a paused process in the field) while a forwards v2 to it.
    b.view.state = 'Resharding'
    const late = await fetch(`${a.server.url()}/kv/bbb`, { method: 'PUT', body: 'v2' })
    expect(late.status).to.equal(503)
    expect(b.server.waiters.size).to.equal(1)
    b.view.setState('Operational')
    await waitFor(() => b.server.waiters.size === 0, { timeoutMs: 5_000, what: 'the late request to be handled' })
    expect(b.server.counters.expired).to.equal(1)
    const read = await fetch(`${b.server.url()}/kv/bbb`)
    expect(await read.text()).to.equal('v1')
  })

  it('refuses a forwarded request routed by another map version, and says which', async () => {
    const { a, b } = await pair()
    b.view.mapVersion = 2
    const res = await fetch(`${a.server.url()}/kv/bbb`, { method: 'PUT', body: 'x' })
    expect(res.status).to.equal(503)
    expect(res.headers.get('retry-after')).to.equal('1')
    expect(await res.text()).to.include('forwarded by map version 1, this node serves 2')
    expect(b.server.counters.mapMismatch).to.equal(1)
    b.view.mapVersion = 1
    const ok = await fetch(`${a.server.url()}/kv/bbb`, { method: 'PUT', body: 'x' })
    expect(ok.status).to.equal(204)
    expect(ok.headers.get(MAP_VERSION)).to.equal('1')
  })

  it('gives the committed map and its version on /map', async () => {
    const { a } = await pair()
    const res = await fetch(`${a.server.url()}/map`)
    const body = await res.json() as { version: number, map: string }
    expect(body.version).to.equal(1)
    expect(JSON.parse(Buffer.from(body.map, 'base64').toString())).to.deep.equal([['aa', 'a'], ['bbb', 'b']])
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
    expect(status).to.deep.equal({ nodeId: 'a', state: 'Operational', mapVersion: 1, entries: 1 })
  })

  it('answers 413 at once from a 1 GiB Content-Length, without waiting for the body, and closes', async () => {
    const a = await node('a')
    a.view.owners.set('aa', 'a')
    const res = await raw(a.server.url(), 'PUT /kv/aa HTTP/1.1\r\nhost: x\r\ncontent-length: 1073741824\r\n\r\n', 3_000)
    expect(res.text).to.match(/^HTTP\/1\.1 413 /)
    expect(res.text).to.include('Content-Length says 1073741824')
    expect(res.closed).to.equal(true)
    expect(res.ms).to.be.below(2_000)
    expect(a.server.counters.tooLarge).to.equal(1)
  })

  it('closes a connection that sends its headers too slowly', async () => {
    const a = await node('a', { headersTimeoutMs: 300 })
    const res = await raw(a.server.url(), 'GET /kv/aa HTTP/1.1\r\nhost: x\r\n', 5_000)
    expect(res.closed).to.equal(true)
    expect(res.ms).to.be.below(4_000)
  })

  it('answers 507 with a message when the store is full', async () => {
    const view = new FakeView('a')
    const server = new KvHttpServer(view, new ShardedStore({ maxEntries: 1, maxBytes: 1_000 }))
    await server.start()
    servers.push(server)
    view.owners.set('aa', 'a')
    view.owners.set('bbb', 'a')
    expect((await fetch(`${server.url()}/kv/aa`, { method: 'PUT', body: 'one' })).status).to.equal(204)
    const full = await fetch(`${server.url()}/kv/bbb`, { method: 'PUT', body: 'two' })
    expect(full.status).to.equal(507)
    expect(await full.text()).to.include('the store is full')
    expect(server.counters.full).to.equal(1)
  })

  it('answers 500 instead of crashing when the store throws something unexpected', async () => {
    const store = new ShardedStore()
    store.get = () => { throw new TypeError('boom') }
    const view = new FakeView('a')
    const server = new KvHttpServer(view, store)
    await server.start()
    servers.push(server)
    view.owners.set('aa', 'a')
    const res = await fetch(`${server.url()}/kv/aa`)
    expect(res.status).to.equal(500)
    expect(await res.text()).to.include('boom')
  })

  it('answers 400 to a malformed request line', async () => {
    const a = await node('a')
    const res = await raw(a.server.url(), 'GARBAGE\x00\x01 / HTTP/9\r\n\r\n', 3_000)
    expect(res.text).to.match(/^HTTP\/1\.1 400 /)
    expect(a.server.counters.badRequests).to.equal(1)
  })

  it('does not forward to an endpoint learned from unauthenticated gossip on a secured node', async () => {
    const { a, b } = await pair()
    a.view.endpointsTrusted = false
    const res = await fetch(`${a.server.url()}/kv/bbb`, { method: 'PUT', body: 'secret' })
    expect(res.status).to.equal(503)
    expect(await res.text()).to.include('unauthenticated gossip')
    expect(a.server.counters).to.deep.include({ forwarded: 0, untrusted: 1 })
    expect(b.server.counters.local).to.equal(0)
  })
})
