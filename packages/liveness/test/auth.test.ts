import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { LivenessChecker, LivenessEndpoint } from '../src/index.js'

const KEY = 'the-cluster-key-0123456789'

describe('liveness with a key', () => {
  const started: Array<{ stop: () => Promise<void> }> = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map(async s => { await s.stop() }))
  })

  async function watch (endpointKey: string | undefined) {
    const endpoint = new LivenessEndpoint({}, { nodeId: 'node-a', ...(endpointKey === undefined ? {} : { key: endpointKey }) })
    const checker = new LivenessChecker({}, { intervalMs: 20, key: KEY })
    started.push(endpoint, checker)
    await endpoint.start()
    await checker.start()
    let alive = 0
    checker.addEventListener('node:alive', () => { alive++ })
    checker.add('node-a', endpoint.address())
    return { endpoint, checker, alive: () => alive }
  }

  it('with the same key on both sides the node is alive', async () => {
    const { checker } = await watch(KEY)
    expect(await waitFor(() => checker.nodeStatus('node-a')?.state === 'alive', { timeoutMs: 10_000 })).to.equal(true)
  })

  it('a responder with another key never makes the node alive, and its drops are counted', async () => {
    const { endpoint, checker, alive } = await watch('another-key-0123456789')
    await waitFor(() => checker.nodeStatus('node-a')?.state === 'dead', { timeoutMs: 10_000, what: 'node-a dead' })
    expect(alive()).to.equal(0)
    expect(endpoint.stats().replies).to.equal(0)
    expect(endpoint.stats().dropped.auth).to.be.greaterThan(0)
  })

  it('unauthenticated replies never make the node alive, and the checker counts them', async () => {
    const { endpoint, checker, alive } = await watch(undefined)
    await waitFor(() => checker.nodeStatus('node-a')?.state === 'dead', { timeoutMs: 10_000, what: 'node-a dead' })
    expect(alive()).to.equal(0)
    expect(endpoint.stats().replies).to.be.greaterThan(0)
    expect(checker.stats().dropped.auth).to.be.greaterThan(0)
  })
})
