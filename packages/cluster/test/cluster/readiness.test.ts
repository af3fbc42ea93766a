import { expect } from 'chai'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { createServer, type Server } from 'node:net'
import { ManualClock, PortInUseError, TypedEventEmitter, waitFor } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import type { ClusterState } from '@clusterfunk/management'
import { whenOperational, type ClusterEvents, type ClusterInit, type ListeningPart } from '../../src/index.js'
import { TestNodes } from './helpers.js'

/** A node that only has a state, moved by hand. */
class FakeNode {
  state: ClusterState = 'Starting'
  private readonly emitter = new TypedEventEmitter<ClusterEvents>()
  addEventListener = this.emitter.addEventListener.bind(this.emitter)
  removeEventListener = this.emitter.removeEventListener.bind(this.emitter)
  listeners (): number { return this.emitter.listenerCount('state:change') }
  set (state: ClusterState): void {
    const previous = this.state
    this.state = state
    this.emitter.emit('state:change', { state, previous })
  }
}

async function rejection (p: Promise<unknown>): Promise<Error> {
  try { await p } catch (err) { return err as Error }
  throw new Error('expected a rejection')
}

describe('whenOperational', () => {
  it('resolves at once when the node is already Operational', async () => {
    const node = new FakeNode()
    node.state = 'Operational'
    await whenOperational(node, new ManualClock())
    expect(node.listeners()).to.equal(0)
  })

  it('resolves on the change that makes the node Operational, not before', async () => {
    const node = new FakeNode()
    let done = false
    const p = whenOperational(node, new ManualClock(), { timeoutMs: 1_000 }).then(() => { done = true })
    node.set('Joining')
    node.set('Resharding')
    await Promise.resolve()
    expect(done).to.equal(false)
    node.set('Operational')
    await p
    expect(node.listeners()).to.equal(0)
  })

  it('rejects with TimeoutError naming the state the node is in, and leaves no listener', async () => {
    const node = new FakeNode()
    const clock = new ManualClock()
    const p = rejection(whenOperational(node, clock, { timeoutMs: 500 }))
    node.set('Voting')
    clock.advance(500)
    const err = await p
    expect(err.name).to.equal('TimeoutError')
    expect(err.message).to.include('500 ms').and.include('Voting')
    expect(node.listeners()).to.equal(0)
  })

  it('rejects with AbortError when the signal fires, or has fired already', async () => {
    const node = new FakeNode()
    const controller = new AbortController()
    const p = rejection(whenOperational(node, new ManualClock(), { signal: controller.signal }))
    controller.abort()
    expect((await p).name).to.equal('AbortError')
    expect(node.listeners()).to.equal(0)
    expect((await rejection(whenOperational(node, new ManualClock(), { signal: AbortSignal.abort() }))).name).to.equal('AbortError')
  })

  it('refuses a negative timeout', async () => {
    expect((await rejection(whenOperational(new FakeNode(), new ManualClock(), { timeoutMs: -1 }))).name).to.equal('InvalidArgumentError')
  })
})

describe('A node says when it is ready', function () {
  this.timeout(60_000)
  const t = new TestNodes()
  afterEach(async () => { await t.cleanup() })

  it('whenOperational on a Cluster resolves once it serves; /health is 200 throughout, /ready 503 then 200', async () => {
    const node = await t.create({ nodeId: 'solo', bootstrapExpect: 1, metricsPort: 0 })
    await node.start()
    const base = (node.metricsUrl() ?? '').replace(/\/metrics$/, '')
    const health = await fetch(`${base}/health`)
    expect(health.status).to.equal(200)
    expect(await health.json()).to.deep.equal({ status: 'up' })
    const early = await fetch(`${base}/ready`)
    const earlyBody = await early.json() as { ready: boolean, state: string }
    // It may already be Operational on a fast machine; then the 503 cannot be seen, the 200 below still must.
    if (earlyBody.state !== 'Operational') {
      expect(early.status).to.equal(503)
      expect(earlyBody.ready).to.equal(false)
    }
    await node.whenOperational({ timeoutMs: 20_000 })
    expect(node.state).to.equal('Operational')
    const ready = await fetch(`${base}/ready`)
    expect(ready.status).to.equal(200)
    expect(ready.headers.get('content-type')).to.match(/^application\/json/)
    expect(await ready.json()).to.deep.include({ ready: true, state: 'Operational', role: 'Leader', nodeId: 'solo', leader: 'solo' })
  })

  it('a node waiting on bootstrapExpect says how many of the expected nodes it sees, and which', async () => {
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 3 })
    const seen: Array<ClusterEvents['bootstrap:waiting']> = []
    a.addEventListener('bootstrap:waiting', e => { seen.push(e.detail) })
    await a.start()
    await waitFor(() => seen.length > 0, { timeoutMs: 10_000, what: 'the first bootstrap:waiting' })
    expect(seen[0]).to.deep.equal({ expect: 3, seen: ['a'] })
    const b = await t.create({ nodeId: 'b', bootstrapExpect: 3, join: [a.swimAddress()] })
    await b.start()
    await waitFor(() => seen.some(s => s.seen.length === 2), { timeoutMs: 15_000, what: 'a to see b' })
    expect(seen.find(s => s.seen.length === 2)).to.deep.equal({ expect: 3, seen: ['a', 'b'] })
    const c = await t.create({ nodeId: 'c', bootstrapExpect: 3, join: [a.swimAddress()] })
    await c.start()
    await a.whenOperational({ timeoutMs: 20_000 })
    const before = seen.length
    await waitFor(() => b.state === 'Operational' && c.state === 'Operational', { timeoutMs: 20_000, what: 'b and c Operational' })
    // Once the node holds Raft state it no longer waits, so it says nothing more.
    expect(seen.length).to.equal(before)
  })

  describe('a port clash names the part and the port', () => {
    const held: Array<Server | UdpSocket> = []
    afterEach(async () => {
      for (const h of held) await new Promise<void>(resolve => { h.close(() => { resolve() }) })
      held.length = 0
    })

    async function holdTcp (port: number): Promise<void> {
      const server = createServer()
      held.push(server)
      await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', resolve) })
    }
    async function holdUdp (port: number): Promise<void> {
      const socket = createSocket('udp4')
      held.push(socket)
      await new Promise<void>((resolve, reject) => { socket.once('error', reject); socket.bind(port, '127.0.0.1', resolve) })
    }

    const cases: Array<{ part: ListeningPart, option: keyof ClusterInit, hold: 'tcp' | 'udp' }> = [
      { part: 'raft', option: 'raftPort', hold: 'tcp' },
      { part: 'liveness', option: 'livenessPort', hold: 'udp' },
      { part: 'management', option: 'managementPort', hold: 'tcp' },
      { part: 'metrics', option: 'metricsPort', hold: 'tcp' },
      { part: 'gossip', option: 'swimPort', hold: 'udp' }
    ]
    for (const { part, option, hold } of cases) {
      it(`${part}: PortInUseError with part "${part}" and 127.0.0.1:<port>`, async () => {
        const [port] = await freePorts(1)
        if (port === undefined) throw new Error('no free port')
        if (hold === 'tcp') await holdTcp(port)
        else await holdUdp(port)
        const node = await t.create({ nodeId: `clash-${part}`, bootstrapExpect: 1, [option]: port })
        const err = await rejection(node.start())
        expect(err).to.be.instanceOf(PortInUseError)
        expect(err.name).to.equal('PortInUseError')
        expect((err as PortInUseError).part).to.equal(part)
        expect((err as PortInUseError).address).to.include(`127.0.0.1:${port}`)
        expect(err.message).to.include(`the ${part} port 127.0.0.1:${port}`)
      })
    }
  })
})
