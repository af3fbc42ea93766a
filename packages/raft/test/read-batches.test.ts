import { TimeoutError, waitFor } from '@clusterfunk/core'
import { expect } from 'chai'
import { MAX_READ_RETRIES, type Message } from '../src/index.js'
import { setCommand } from './helpers/kv-fsm.js'
import { MemoryCluster, type TestNode } from './helpers/memory-cluster.js'

/** Counts (and optionally loses) the ReadIndex requests a node sends. */
function watchReadRequests (c: MemoryCluster, from: string, loseFirst: number): { sent: number, lost: number } {
  const seen = { sent: 0, lost: 0 }
  c.network.lose = (m: Message, fromAddress: string) => {
    if (m.type !== 'readIndexRequest' || fromAddress !== `mem-${from}`) return false
    seen.sent++
    if (seen.lost >= loseFirst) return false
    seen.lost++
    return true
  }
  return seen
}

async function followerOf (c: MemoryCluster): Promise<{ leader: TestNode, follower: TestNode }> {
  const leader = await c.leader()
  const follower = c.followers()[0] as TestNode
  await waitFor(() => follower.raft.stats().leaderId === leader.id, { timeoutMs: 3000 })
  return { leader, follower }
}

describe('batched and retried ReadIndex requests', () => {
  let c: MemoryCluster

  beforeEach(() => { c = new MemoryCluster() })
  afterEach(async () => { c.network.lose = undefined; await c.stopAll() })

  it('serves the reads made in one task with one request from a follower', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const { leader, follower } = await followerOf(c)
    await leader.raft.apply(setCommand('k', 'v'))
    const seen = watchReadRequests(c, follower.id, 0)
    const values = await Promise.all(Array.from({ length: 50 }, async () => await follower.raft.read(() => follower.fsm.map.get('k'))))
    expect(values).to.deep.equal(Array.from({ length: 50 }, () => 'v'))
    expect(seen.sent).to.equal(1)
  })

  it('never serves a read with a request made before it arrived', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const { leader, follower } = await followerOf(c)
    await leader.raft.apply(setCommand('k', 'old'))
    const seen = watchReadRequests(c, follower.id, 0)
    const first = follower.raft.read(() => follower.fsm.map.get('k'))
    // The first request is made at the end of this task; what follows comes after it.
    await new Promise<void>(resolve => { setImmediate(resolve) })
    expect(seen.sent).to.equal(1)
    await leader.raft.apply(setCommand('k', 'new'))
    const second = await follower.raft.read(() => follower.fsm.map.get('k'))
    expect(second).to.equal('new')
    expect(await first).to.be.oneOf(['old', 'new'])
    expect(seen.sent).to.equal(2)
  })

  it('asks again when a follower\'s request is lost, well before the read times out', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const { leader, follower } = await followerOf(c)
    await leader.raft.apply(setCommand('k', 'v'))
    const seen = watchReadRequests(c, follower.id, 1)
    const started = performance.now()
    expect(await follower.raft.read(() => follower.fsm.map.get('k'), { timeoutMs: 5000 })).to.equal('v')
    expect(seen.lost).to.equal(1)
    expect(seen.sent).to.equal(2)
    // One retry after an election timeout (150 ms with the fast preset), nowhere near the 5 s deadline.
    expect(performance.now() - started).to.be.below(4000)
  })

  it('gives up at the deadline when every request is lost, after a bounded number of retries', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const { follower } = await followerOf(c)
    const seen = watchReadRequests(c, follower.id, Infinity)
    const err = await follower.raft.read(() => 0, { timeoutMs: 700 }).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(TimeoutError)
    expect(seen.sent).to.be.greaterThan(1)
    expect(seen.sent).to.be.at.most(1 + MAX_READ_RETRIES)
  })
})
