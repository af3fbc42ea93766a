import { expect } from 'chai'
import { MemoryMetrics, waitFor } from '@clusterfunk/core'
import { LivenessChecker, LivenessEndpoint, type NodeAliveEvent } from '../src/index.js'

describe('LivenessChecker on real UDP', () => {
  const started: Array<{ stop: () => Promise<void> }> = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map(async s => { await s.stop() }))
  })

  async function pair (checkerMetrics = new MemoryMetrics()) {
    const endpoint = new LivenessEndpoint({}, { nodeId: 'node-a' })
    const checker = new LivenessChecker({ metrics: checkerMetrics }, { intervalMs: 20 })
    started.push(endpoint, checker)
    await endpoint.start()
    await checker.start()
    return { endpoint, checker, metrics: checkerMetrics }
  }

  it('a node whose endpoint answers becomes alive, with its RTT measured', async () => {
    const { endpoint, checker, metrics } = await pair()
    const alive: NodeAliveEvent[] = []
    checker.addEventListener('node:alive', e => { alive.push(e.detail) })
    checker.add('node-a', endpoint.address())
    await waitFor(() => alive.length === 1, { timeoutMs: 10_000, what: 'node:alive' })
    expect(alive[0]).to.include({ nodeId: 'node-a', previous: 'unknown' })
    expect(checker.nodeStatus('node-a')?.state).to.equal('alive')
    expect(checker.nodeStatus('node-a')?.lastRttMs).to.be.a('number')
    expect(metrics.get('clusterfunk_liveness_probes_sent_total')).to.be.greaterThan(0)
    expect(metrics.observed('clusterfunk_liveness_rtt_seconds').length).to.be.greaterThan(0)
  })

  it('a node added with probeNow is probed in the same turn of the event loop', async () => {
    const endpoint = new LivenessEndpoint({}, { nodeId: 'node-a' })
    const checker = new LivenessChecker({}, { intervalMs: 1_000 })
    started.push(endpoint, checker)
    await endpoint.start()
    await checker.start()
    checker.add('node-a', endpoint.address(), { probeNow: true })
    await new Promise(resolve => setImmediate(resolve))
    expect(checker.stats().probesSent).to.equal(1)
  })

  it('an endpoint does not answer for another node id, so that node is dead', async () => {
    const { endpoint, checker, metrics } = await pair()
    checker.add('node-b', endpoint.address())
    const dead = await waitFor(() => checker.nodeStatus('node-b')?.state === 'dead', { timeoutMs: 10_000, what: 'node-b dead' })
    expect(dead).to.equal(true)
    expect(endpoint.stats().dropped['wrong-node']).to.be.greaterThan(0)
    expect(endpoint.stats().replies).to.equal(0)
    expect(metrics.get('clusterfunk_liveness_dead_nodes')).to.equal(1)
  })

  it('the events() iterator yields verdicts and ends when its signal fires', async () => {
    const { endpoint, checker } = await pair()
    const controller = new AbortController()
    const seen: string[] = []
    const reading = (async () => {
      try {
        for await (const e of checker.events({ signal: controller.signal })) {
          seen.push(`${e.type} ${e.detail.nodeId}`)
          if (seen.length === 2) controller.abort()
        }
      } catch (err) {
        return (err as Error).name
      }
      return 'ended'
    })()
    checker.add('node-a', endpoint.address())
    checker.add('ghost', { host: '127.0.0.1', port: 9 }) // discard port: nobody answers
    expect(await reading).to.equal('AbortError')
    expect(seen.sort()).to.deep.equal(['node:alive node-a', 'node:dead ghost'])
  })

  it('nodes() lists every watched node and remove() stops watching one', async () => {
    const { endpoint, checker } = await pair()
    checker.add('node-a', endpoint.address())
    checker.add('ghost', { host: '127.0.0.1', port: 9 })
    expect(checker.nodes().map(n => n.id).sort()).to.deep.equal(['ghost', 'node-a'])
    expect(checker.remove('ghost')).to.equal(true)
    expect(checker.remove('ghost')).to.equal(false)
    checker.clear()
    expect(checker.nodes()).to.deep.equal([])
  })
})
