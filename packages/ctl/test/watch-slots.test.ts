import { expect } from 'chai'
import { ManagementClient, ManagementError } from '@clusterfunk/management'
import { waitFor } from '@clusterfunk/core'
import { start, startCluster, type TestCluster } from './helpers.js'

// 64 WatchEvents streams that never read took every
// slot, and a real `funkctl watch` got OVERFLOW.
describe('funkctl watch next to streams that never read', function () {
  this.timeout(60_000)
  let t: TestCluster
  let hog: ManagementClient

  before(async () => { t = await startCluster() })
  after(async () => {
    hog.close()
    await t.stop()
  })

  it('64 streams from one client that never read leave room for a real funkctl watch, which gets events', async () => {
    const source = t.cluster.source('b')
    hog = new ManagementClient({ address: t.endpoint('b') })
    // Each stream is asked for its first event and never read again; all share the hog's one connection.
    const outcomes = Array.from({ length: 64 }, () => hog.watch().next().then(() => 'event', (err: unknown) => err))
    const refused: unknown[] = []
    for (const outcome of outcomes) void outcome.then(o => { if (o !== 'event') refused.push(o) })
    await waitFor(() => source.subscribers() > 0 && refused.length === 64 - source.subscribers(), { timeoutMs: 15_000, what: 'the hog\'s streams to be taken or refused' })
    for (const err of refused) expect(err).to.be.instanceOf(ManagementError).and.include({ grpcCode: 8 })
    const held = source.subscribers()
    expect(held).to.be.at.most(8)

    const watching = start(['watch', '--endpoint', t.endpoint('b')])
    await waitFor(() => source.subscribers() === held + 1, { timeoutMs: 15_000, what: 'funkctl watch to subscribe' })
    t.cluster.leave('c')
    await waitFor(() => watching.stdout().includes('node:leave'), { timeoutMs: 10_000, what: 'funkctl to print the event' })
    watching.child.kill('SIGINT')
    const r = await watching.done
    t.cluster.join('c')
    expect(r).to.include({ code: 0, stderr: '' })
    expect(r.stdout).to.match(/node:leave +node=c/)
  })
})
