import { expect } from 'chai'
import { Agent, request } from 'node:http'
import { connect, createServer, type Socket } from 'node:net'
import { InvalidConfigError, MemoryMetrics, NotStartedError, waitFor } from '@clusterfunk/core'
import { MetricsServer, PromMetrics } from '../../src/index.js'

interface Reply { status: number, headers: Record<string, string | string[] | undefined>, body: string }

async function get (url: string, options: { method?: string, agent?: Agent } = {}): Promise<Reply> {
  return await new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', agent: options.agent ?? false }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body }) })
    })
    req.on('error', reject)
    req.end()
  })
}

/** Sends raw bytes and returns everything the server answers before it closes the connection. */
async function raw (port: number, bytes: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => { socket.write(bytes) })
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => { text += chunk })
    socket.on('close', () => { resolve(text) })
    socket.on('error', reject)
  })
}

describe('MetricsServer', () => {
  let metrics: PromMetrics
  let server: MetricsServer

  beforeEach(async () => {
    metrics = new PromMetrics()
    metrics.counter({ name: 'clusterfunk_test_hits_total', help: 'Hits', labelNames: ['path'] }).inc({ path: '/a' }, 3)
    server = new MetricsServer({ metrics })
    await server.start()
  })

  afterEach(async () => {
    await server.stop()
  })

  it('serves the exposition on /metrics with prom-client\'s content type, on 127.0.0.1 by default', async () => {
    expect(server.address().host).to.equal('127.0.0.1')
    const reply = await get(server.url())
    expect(reply.status).to.equal(200)
    expect(reply.headers['content-type']).to.equal(metrics.contentType)
    expect(reply.body).to.include('clusterfunk_test_hits_total{path="/a"} 3')
    expect((await get(`${server.url()}?debug=1`)).status).to.equal(200)
  })

  it('answers HEAD with the headers and no body', async () => {
    const reply = await get(server.url(), { method: 'HEAD' })
    expect(reply.status).to.equal(200)
    expect(Number(reply.headers['content-length'])).to.be.greaterThan(0)
    expect(reply.body).to.equal('')
  })

  it('answers 404 elsewhere and 405 to other methods', async () => {
    const { port } = server.address()
    expect((await get(`http://127.0.0.1:${port}/`)).status).to.equal(404)
    expect((await get(`http://127.0.0.1:${port}/metrics/x`)).status).to.equal(404)
    const post = await get(server.url(), { method: 'POST' })
    expect(post.status).to.equal(405)
    expect(post.headers.allow).to.equal('GET, HEAD')
  })

  it('answers 400 to bytes that are not HTTP and keeps serving', async () => {
    const answer = await raw(server.address().port, 'NOT HTTP AT ALL\r\n\r\n')
    expect(answer).to.match(/^HTTP\/1\.1 400 /)
    expect((await get(server.url())).status).to.equal(200)
  })

  it('answers 500 when collecting fails', async () => {
    metrics.addCollectHook(() => { throw new Error('collector broke') })
    const reply = await get(server.url())
    expect(reply.status).to.equal(500)
    expect(reply.body).to.equal('collecting metrics failed\n')
  })

  it('stop() closes keep-alive connections and frees the port', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const { port } = server.address()
    expect((await get(server.url(), { agent })).status).to.equal(200)
    const sockets = Object.values(agent.freeSockets).flat()
    expect(sockets).to.have.length(1)
    const closed = new Promise<void>(resolve => { sockets[0]?.once('close', () => { resolve() }) })
    await server.stop()
    await closed
    expect(() => server.address()).to.throw(NotStartedError)
    const probe = createServer()
    await new Promise<void>((resolve, reject) => { probe.once('error', reject).listen(port, '127.0.0.1', resolve) })
    await new Promise<void>(resolve => { probe.close(() => { resolve() }) })
    agent.destroy()
  })

  it('starts again on the port it is given after a stop', async () => {
    const { port } = server.address()
    await server.stop()
    const again = new MetricsServer({ metrics }, { port, path: '/prom' })
    await again.start()
    try {
      expect(again.url()).to.equal(`http://127.0.0.1:${port}/prom`)
      expect((await get(again.url())).status).to.equal(200)
    } finally {
      await again.stop()
    }
  })

  it('rejects a port in use with the listen error, and invalid options', async () => {
    const clash = new MetricsServer({ metrics }, { port: server.address().port })
    const err = await clash.start().then(() => undefined, (e: unknown) => e)
    expect((err as NodeJS.ErrnoException).code).to.equal('EADDRINUSE')
    expect(clash.status).to.equal('stopped')
    expect(() => new MetricsServer({ metrics }, { port: 70_000 })).to.throw(InvalidConfigError)
    expect(() => new MetricsServer({ metrics }, { path: 'metrics' })).to.throw(InvalidConfigError)
  })
})

describe('MetricsServer under hostile connections', () => {
  let server: MetricsServer
  const sockets: Socket[] = []

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy()
    await server.stop()
  })

  it('500 idle connections from one address hold at most its cap, and /metrics still answers from another', async () => {
    const guardMetrics = new MemoryMetrics()
    server = new MetricsServer({ metrics: new PromMetrics(), guardMetrics }, { maxConnections: 32, maxConnectionsPerAddress: 8 })
    await server.start()
    const port = server.address().port
    await Promise.all(Array.from({ length: 500 }, async () => await new Promise<void>(resolve => {
      const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' })
      sockets.push(socket)
      for (const event of ['connect', 'close', 'error']) socket.on(event, () => { resolve() })
    })))
    await waitFor(() => guardMetrics.get('clusterfunk_cluster_metrics_http_connections_refused_total', { reason: 'perAddress' }) === 500 - 8,
      { timeoutMs: 20_000, what: 'every connection past the cap to be refused' })
    expect(guardMetrics.get('clusterfunk_cluster_metrics_http_connections_open')).to.equal(8)
    expect((await get(server.url())).status).to.equal(200)
  })

  it('a collector that throws at once is answered 500, and the server keeps serving', async () => {
    let fail = true
    const flaky = { contentType: 'text/plain', exposition: (): Promise<string> => { if (fail) throw new Error('collector broke'); return Promise.resolve('ok 1\n') } }
    server = new MetricsServer({ metrics: flaky })
    await server.start()
    expect((await get(server.url())).status).to.equal(500)
    fail = false
    expect(await get(server.url())).to.deep.include({ status: 200, body: 'ok 1\n' })
  })
})
