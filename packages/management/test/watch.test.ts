import { expect } from 'chai'
import http2 from 'node:http2'
import { Client, Metadata, credentials, status as Code, type StatusObject } from '@grpc/grpc-js'
import { MemoryMetrics, waitFor } from '@clusterfunk/core'
import { managementMethod } from '../src/testing.js'
import { ManagementClient, type ClusterEvent } from '../src/index.js'
import { serverOf, startHarness, type Harness } from './helpers.js'

describe('ManagementServer WatchEvents', () => {
  let h: Harness
  let client: ManagementClient

  beforeEach(async () => {
    h = await startHarness()
    client = new ManagementClient({ address: serverOf(h, 'b').endpoint() })
  })
  afterEach(async () => {
    client.close()
    await h.stop()
  })

  const subscribed = async (n = 1): Promise<void> => {
    await waitFor(() => h.cluster.source('b').subscribers() === n, { timeoutMs: 5_000, what: 'the stream to subscribe' })
  }

  it('delivers the node\'s events in order', async () => {
    const controller = new AbortController()
    const seen: ClusterEvent[] = []
    const reading = (async () => {
      for await (const event of client.watch({ signal: controller.signal })) {
        seen.push(event)
        if (seen.length === 6) controller.abort()
      }
    })()
    await subscribed()
    h.cluster.kill('c')
    h.cluster.electLeader('b')
    await reading
    const at = seen.map(e => e.at)
    expect(seen.map(({ at: _at, ...rest }) => rest)).to.deep.equal([
      { type: 'node:dead', nodeId: 'c' },
      { type: 'state:change', state: 'Resharding' },
      { type: 'shards:change', mapVersion: 2, total: 1000 },
      { type: 'state:change', state: 'Operational' },
      { type: 'leader:change', leaderId: 'b' },
      { type: 'role:change', role: 'Leader' }
    ])
    expect(at).to.deep.equal([...at].sort((x, y) => x - y))
    for (const e of seen) expect(e.at).to.be.a('number').and.above(0)
  })

  it('ends cleanly when the client cancels, and the server lets go of the stream', async () => {
    const controller = new AbortController()
    const events = client.watch({ signal: controller.signal })
    const first = events.next()
    await subscribed()
    h.cluster.leave('c')
    expect((await first).value).to.deep.include({ type: 'node:leave', nodeId: 'c' })
    controller.abort()
    expect(await events.next()).to.deep.equal({ done: true, value: undefined })
    await subscribed(0)
  })

  it('ends cleanly when the consumer breaks out of its loop', async () => {
    const reading = (async () => {
      for await (const event of client.watch()) return event
    })()
    await subscribed()
    h.cluster.kill('a')
    expect(await reading).to.deep.include({ type: 'node:dead', nodeId: 'a' })
    await subscribed(0)
  })

  it('ends cleanly when the server stops', async () => {
    const events = client.watch()
    const first = events.next()
    await subscribed()
    await serverOf(h, 'b').stop()
    expect(await first).to.deep.equal({ done: true, value: undefined })
    expect(h.cluster.source('b').subscribers()).to.equal(0)
  })
})

describe('ManagementServer WatchEvents bounds', () => {
  let h: Harness
  const channels: Client[] = []
  const method = managementMethod('WatchEvents')

  afterEach(async () => {
    for (const c of channels.splice(0)) c.close()
    await h.stop()
  })

  /** A stream on `channel` whose consumer never reads; resolves with its final status code. */
  const neverReads = (channel: Client): { code: Promise<number> } => {
    const call = channel.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, { format: 'FORMAT_VERSION_1' }, new Metadata(), {})
    const code = new Promise<number>(resolve => {
      call.on('status', (s: StatusObject) => { resolve(s.code) })
      call.on('error', () => {})
    })
    return { code }
  }
  const channel = (address: string): Client => {
    const c = new Client(address, credentials.createInsecure())
    channels.push(c)
    return c
  }

  it('a stream whose consumer stops reading is ended after watchStallMs and counted, and lets go of its slot', async () => {
    const metrics = new MemoryMetrics()
    h = await startHarness({ watchStallMs: 300 }, undefined, metrics)
    const source = h.cluster.source('b')
    // A raw HTTP/2 client that asks for the stream and never reads: its flow-control window fills and stays full.
    const session = http2.connect(`http://${serverOf(h, 'b').endpoint()}`)
    session.on('error', () => {})
    try {
      const body = method.requestSerialize({ format: 'FORMAT_VERSION_1' })
      const frame = Buffer.alloc(5 + body.length)
      frame.writeUInt32BE(body.length, 1)
      body.copy(frame, 5)
      const stream = session.request({ ':method': 'POST', ':path': method.path, 'content-type': 'application/grpc', te: 'trailers' })
      stream.on('error', () => {})
      stream.end(frame)
      stream.pause()
      await waitFor(() => source.subscribers() === 1, { timeoutMs: 5_000, what: 'the stream to subscribe' })
      await waitFor(() => {
        for (let i = 0; i < 500; i++) h.cluster.setState('b', i % 2 === 0 ? 'Resharding' : 'Operational')
        return metrics.get('clusterfunk_cluster_management_watch_evictions_total', { reason: 'stalled' }) === 1
      }, { timeoutMs: 30_000, intervalMs: 50, what: 'the stalled stream to be evicted' })
      await waitFor(() => source.subscribers() === 0, { timeoutMs: 5_000, what: 'the slot to be freed' })
      expect(metrics.get('clusterfunk_cluster_management_requests_total', { method: 'WatchEvents', code: String(Code.RESOURCE_EXHAUSTED) })).to.equal(1)
    } finally {
      session.destroy()
    }
  })

  it('one connection gets at most maxWatchersPerClient streams, and another connection still gets one', async () => {
    h = await startHarness({ maxWatchersPerClient: 4 })
    const source = h.cluster.source('b')
    const hog = channel(serverOf(h, 'b').endpoint())
    const streams = Array.from({ length: 10 }, () => neverReads(hog))
    await waitFor(() => source.subscribers() === 4, { timeoutMs: 5_000, what: 'four streams to subscribe' })
    const refused = await Promise.all(streams.slice(4).map(async s => await s.code))
    expect(refused).to.deep.equal(Array(6).fill(Code.RESOURCE_EXHAUSTED))
    const other = new ManagementClient({ address: serverOf(h, 'b').endpoint() })
    try {
      const events = other.watch()
      const first = events.next()
      await waitFor(() => source.subscribers() === 5, { timeoutMs: 5_000, what: 'the other connection\'s stream' })
      h.cluster.leave('c')
      expect((await first).value).to.deep.include({ type: 'node:leave', nodeId: 'c' })
      await events.return()
    } finally {
      other.close()
    }
  })
})
