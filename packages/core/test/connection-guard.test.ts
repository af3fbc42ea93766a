import { expect } from 'chai'
import { connect, type Socket } from 'node:net'
import { ConnectionGuard, InvalidConfigError, MemoryMetrics, PortInUseError, waitFor } from '../src/index.js'

async function open (port: number): Promise<Socket> {
  return await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => { resolve(s) })
    s.once('error', reject)
  })
}

function closed (s: Socket): Promise<void> {
  return new Promise(resolve => { if (s.closed) resolve(); else s.once('close', () => { resolve() }) })
}

describe('ConnectionGuard', () => {
  const guards: ConnectionGuard[] = []
  const clients: Socket[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy()
    for (const g of guards.splice(0)) await g.stop()
  })

  async function guard (init: Partial<ConstructorParameters<typeof ConnectionGuard>[1]> = {}, onConnection: (s: Socket) => void = () => {}, metrics = new MemoryMetrics()): Promise<ConnectionGuard> {
    const g = new ConnectionGuard({ metrics }, { part: 'test', ...init }, onConnection)
    guards.push(g)
    await g.start()
    return g
  }

  it('hands accepted sockets to its owner, which can talk over them', async () => {
    const g = await guard({}, s => { s.end('hello') })
    const c = await open(g.address().port)
    clients.push(c)
    const got = await new Promise<string>(resolve => { let b = ''; c.on('data', d => { b += String(d) }); c.on('end', () => { resolve(b) }) })
    expect(got).to.equal('hello')
  })

  it('closes connections beyond the total cap on accept and counts them', async () => {
    const metrics = new MemoryMetrics()
    const g = await guard({ maxConnections: 5, maxConnectionsPerAddress: 100 }, () => {}, metrics)
    for (let i = 0; i < 20; i++) clients.push(await open(g.address().port))
    await waitFor(() => g.refused.total === 15, { timeoutMs: 5_000, what: '15 refusals' })
    expect(g.connections).to.equal(5)
    expect(metrics.get('clusterfunk_test_connections_refused_total', { reason: 'total' })).to.equal(15)
  })

  it('closes connections beyond the per-address cap, and takes new ones when old ones close', async () => {
    const g = await guard({ maxConnections: 100, maxConnectionsPerAddress: 3 })
    const kept = []
    for (let i = 0; i < 3; i++) kept.push(await open(g.address().port))
    const extra = await open(g.address().port)
    clients.push(...kept, extra)
    await closed(extra)
    expect(g.refused.perAddress).to.equal(1)
    kept[0]?.destroy()
    await waitFor(() => g.connections === 2, { timeoutMs: 5_000, what: 'the closed connection to be released' })
    const again = await open(g.address().port)
    clients.push(again)
    await waitFor(() => g.connections === 3, { timeoutMs: 5_000, what: 'a new connection to be kept' })
    expect(g.refused.perAddress).to.equal(1)
  })

  it('closes a connection that stays idle past the idle timeout', async () => {
    const g = await guard({ idleTimeoutMs: 100 })
    const c = await open(g.address().port)
    clients.push(c)
    await closed(c)
    await waitFor(() => g.connections === 0, { timeoutMs: 5_000, what: 'the idle connection to be released' })
  })

  it('names the part and the address when the port is taken', async () => {
    const g = await guard()
    const clash = new ConnectionGuard({}, { part: 'management', port: g.address().port }, () => {})
    const err = await clash.start().then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(PortInUseError)
    expect((err as Error).message).to.contain('management').and.to.contain(`127.0.0.1:${g.address().port}`)
  })

  it('survives an owner that throws, closing that socket', async () => {
    const g = await guard({}, () => { throw new Error('boom') })
    const c = await open(g.address().port)
    clients.push(c)
    await closed(c)
    await waitFor(() => g.connections === 0, { timeoutMs: 5_000, what: 'the socket to be released' })
  })

  it('destroys every open socket on stop', async () => {
    const g = await guard()
    const cs = [await open(g.address().port), await open(g.address().port)]
    clients.push(...cs)
    await waitFor(() => g.connections === 2, { timeoutMs: 5_000, what: 'two connections' })
    await g.stop()
    await Promise.all(cs.map(closed))
    expect(g.connections).to.equal(0)
  })

  it('rejects bad limits at construction', () => {
    expect(() => new ConnectionGuard({}, { part: 'x', maxConnections: 0 }, () => {})).to.throw(InvalidConfigError, /maxConnections/)
    expect(() => new ConnectionGuard({}, { part: 'x', port: 70_000 }, () => {})).to.throw(InvalidConfigError, /port/)
  })
})
