import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { ManagementClient, type ClusterEvent } from '../../src/index.js'
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
