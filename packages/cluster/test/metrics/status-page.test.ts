import { expect } from 'chai'
import { request, type IncomingMessage } from 'node:http'
import { InvalidConfigError, silentLogger, waitFor } from '@clusterfunk/core'
import { MetricsServer, PromMetrics, StatusPage, type StatusEvent, type StatusPageSource, type StatusSnapshot } from '../../src/index.js'

class FakeSource implements StatusPageSource {
  readonly listeners = new Set<(e: StatusEvent) => void>()
  version = 1
  snapshot (): StatusSnapshot {
    return {
      clusterName: 'test', nodeId: 'a', state: 'Operational', role: 'Leader', leader: 'a', shardCount: 10, mapVersion: this.version,
      members: [{ id: 'a', suffrage: 'Voter', swim: 'Alive', liveness: 'Unknown', leader: true, shards: 10, endpoints: {} }],
      history: [{ version: 1, at: 1, nodes: 1, gained: 10, lost: 0 }],
      at: Date.now()
    }
  }

  recentEvents (): StatusEvent[] { return [{ type: 'leader:change', at: 1, detail: { leaderId: 'a' } }] }
  subscribe (listener: (e: StatusEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  emit (e: StatusEvent): void { for (const l of this.listeners) l(e) }
}

/** Opens an event stream and collects what it says until closed. */
function openStream (url: string): Promise<{ res: IncomingMessage, text: () => string, close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('error', () => {})
      resolve({ res, text: () => text, close: () => { req.destroy() } })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('StatusPage', () => {
  let source: FakeSource
  let page: StatusPage
  let server: MetricsServer
  let base: string

  beforeEach(async () => {
    source = new FakeSource()
    page = new StatusPage({ source, logger: silentLogger('test') }, { maxStreams: 2, refreshMs: 200 })
    server = new MetricsServer({ metrics: new PromMetrics(), statusPage: page })
    await server.start()
    base = server.url().replace(/\/metrics$/, '')
  })
  afterEach(async () => { await server.stop() })

  it('serves the page as one HTML file, and a JSON snapshot', async () => {
    const html = await fetch(`${base}/status`)
    expect(html.status).to.equal(200)
    expect(html.headers.get('content-type')).to.match(/^text\/html/)
    const text = await html.text()
    expect(text).to.include('<table id="members"').and.include('EventSource')
    const data = await fetch(`${base}/status/data`)
    expect(await data.json()).to.deep.include({ nodeId: 'a', state: 'Operational', mapVersion: 1 })
  })

  it('a stream starts with a snapshot and the recent events, then carries each event and a fresh snapshot', async () => {
    const s = await openStream(`${base}/status/events`)
    expect(s.res.headers['content-type']).to.match(/^text\/event-stream/)
    await waitFor(() => s.text().includes('event: snapshot') && s.text().includes('"leader:change"'), { timeoutMs: 5_000, what: 'the first snapshot and the replayed events' })
    source.version = 2
    source.emit({ type: 'node:dead', at: 2, detail: { nodeId: 'b' } })
    await waitFor(() => s.text().includes('"node:dead"') && s.text().includes('"mapVersion":2'), { timeoutMs: 5_000, what: 'the event and the snapshot after it' })
    s.close()
    await waitFor(() => page.openStreams === 0 && source.listeners.size === 0, { timeoutMs: 5_000, what: 'the closed stream to let go of its listener' })
  })

  it('bounds the streams: one past maxStreams gets 503 with Retry-After, and a closed one frees its place', async () => {
    const a = await openStream(`${base}/status/events`)
    const b = await openStream(`${base}/status/events`)
    const c = await openStream(`${base}/status/events`)
    expect(a.res.statusCode).to.equal(200)
    expect(b.res.statusCode).to.equal(200)
    expect(c.res.statusCode).to.equal(503)
    expect(c.res.headers['retry-after']).to.equal('5')
    a.close()
    await waitFor(() => page.openStreams === 1, { timeoutMs: 5_000, what: 'the closed stream to be counted out' })
    const d = await openStream(`${base}/status/events`)
    expect(d.res.statusCode).to.equal(200)
    b.close(); c.close(); d.close()
  })

  it('stopping the server ends every stream', async () => {
    const s = await openStream(`${base}/status/events`)
    const ended = new Promise<void>(resolve => { s.res.on('close', () => { resolve() }) })
    await server.stop()
    await ended
    expect(page.openStreams).to.equal(0)
  })

  it('refuses bad bounds', () => {
    expect(() => new StatusPage({ source, logger: silentLogger('test') }, { maxStreams: 0 })).to.throw(InvalidConfigError)
    expect(() => new StatusPage({ source, logger: silentLogger('test') }, { refreshMs: 5 })).to.throw(InvalidConfigError)
  })

  it('without a readiness probe /ready is 404; /health is 200', async () => {
    expect((await fetch(`${base}/ready`)).status).to.equal(404)
    expect((await fetch(`${base}/health`)).status).to.equal(200)
    expect((await fetch(`${base}/status/nope`)).status).to.equal(404)
    expect((await fetch(`${base}/status`, { method: 'POST' })).status).to.equal(405)
  })
})
