import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import {
  CompactedError, CoordinationLimitError, LockBusyError, ManagementClient, RevisionMismatchError, type Cluster, type StateEvent
} from '../../src/index.js'
import { TestNodes, waitForAgreement } from '../cluster/helpers.js'

const text = (v: Uint8Array | undefined): string | undefined => v === undefined ? undefined : new TextDecoder().decode(v)

describe('Cluster shared state and locks on real nodes', function () {
  this.timeout(60_000)
  const t = new TestNodes()
  const clients: ManagementClient[] = []
  let nodes: Cluster[] = []

  before(async () => {
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 3 })
    await a.start()
    const others = await Promise.all(['b', 'c'].map(async id => await t.create({ nodeId: id, bootstrapExpect: 3, join: [a.swimAddress()] })))
    await Promise.all(others.map(async n => { await n.start() }))
    nodes = [a, ...others]
    await waitForAgreement(nodes, ['a', 'b', 'c'])
  })

  after(async () => {
    for (const c of clients) c.close()
    await t.cleanup()
  })

  const leader = (): Cluster => nodes.find(n => n.role === 'Leader') as Cluster
  const follower = (): Cluster => nodes.find(n => n.role === 'Follower') as Cluster
  function client (node: Cluster): ManagementClient {
    const c = new ManagementClient({ address: node.managementAddress() })
    clients.push(c)
    return c
  }

  it('a write through a follower reaches every replica with its revision and the leader time', async () => {
    const before = Date.now()
    const { revision } = await follower().sharedState.put('config/mode', 'blue')
    expect(revision).to.be.greaterThan(0)
    const entry = await follower().sharedState.get('config/mode', { consistent: true })
    expect(text(entry?.value)).to.equal('blue')
    expect(entry?.revision).to.equal(revision)
    expect(entry?.writtenAtMs).to.be.within(before - 1_000, Date.now() + 1_000)
    await waitFor(() => nodes.every(n => n.sharedState.get('config/mode')?.revision === revision), { timeoutMs: 10_000, what: 'every replica has the write' })
  })

  it('compare-and-set refuses a stale revision with a typed error, from a follower too', async () => {
    const s = follower().sharedState
    const { revision } = await s.put('cas', '1', { expectedRevision: 0 })
    const err = await s.put('cas', '2', { expectedRevision: revision + 100 }).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(RevisionMismatchError)
    expect((err as RevisionMismatchError).actual).to.equal(revision)
    await s.put('cas', '2', { expectedRevision: revision })
    expect(await s.delete('cas', { expectedRevision: 0 }).catch((e: unknown) => e)).to.be.instanceOf(RevisionMismatchError)
  })

  it('refuses a value past the limit with a clear error before anything is appended', async () => {
    const err = await follower().sharedState.put('big', new Uint8Array(64 * 1024)).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(CoordinationLimitError)
    expect((err as CoordinationLimitError).limit).to.equal('value')
    expect(follower().sharedState.get('big')).to.equal(undefined)
  })

  it('a watch delivers every revision once and in order, and resumes on another node from its last revision', async () => {
    const from = leader().sharedState.revision + 1
    const seen: StateEvent[] = []
    const abort = new AbortController()
    const first = nodes[0] as Cluster
    const second = nodes[1] as Cluster
    const writes = (async () => { for (let i = 0; i < 20; i++) await follower().sharedState.put(`w/${i % 4}`, String(i)) })()
    for await (const e of first.sharedState.watch('w/', { fromRevision: from, signal: abort.signal })) {
      seen.push(e)
      if (seen.length === 8) break
    }
    // "Reconnect": resume elsewhere from the revision after the last one seen.
    const last = seen.at(-1)?.revision ?? 0
    for await (const e of second.sharedState.watch('w/', { fromRevision: last + 1 })) {
      seen.push(e)
      if (seen.length === 20) break
    }
    await writes
    const revisions = seen.map(e => e.revision)
    expect(new Set(revisions).size).to.equal(20)
    expect([...revisions].sort((a, b) => a - b)).to.deep.equal(revisions)
    expect(seen.map(e => text(e.value))).to.deep.equal(Array.from({ length: 20 }, (_, i) => String(i)))
    expect(() => first.sharedState.watch('', { fromRevision: 1 }).next()).to.not.throw()
  })

  it('a resume from a compacted revision fails with CompactedError', async () => {
    for (let i = 0; i < 1_200; i += 100) await Promise.all(Array.from({ length: 100 }, async (_, j) => await leader().sharedState.put(`fill/${j}`, String(i + j))))
    const target = leader().sharedState.revision
    await waitFor(() => follower().sharedState.revision >= target, { timeoutMs: 10_000, what: 'the follower caught up' })
    const it = follower().sharedState.watch('', { fromRevision: 1 })
    expect(await it.next().catch((e: unknown) => e)).to.be.instanceOf(CompactedError)
    // The oldest revision kept still resumes.
    const oldest = (await follower().sharedState.watch('', { fromRevision: target }).next()).value
    expect(oldest?.revision).to.equal(target)
  })

  it('hands a lock to waiters in FIFO order under strictly increasing tokens, across nodes', async () => {
    const [a, b, c] = nodes as [Cluster, Cluster, Cluster]
    const first = await a.locks.acquire('job', { ttlMs: 2_000 })
    expect(await b.locks.acquire('job').catch((e: unknown) => e)).to.be.instanceOf(LockBusyError)
    const order: string[] = []
    const second = b.locks.acquire('job', { wait: true, ttlMs: 2_000 }).then(l => { order.push('b'); return l })
    await waitFor(() => a.locks.list().find(l => l.name === 'job')?.waiters.length === 1, { timeoutMs: 10_000, what: 'b queued' })
    const third = c.locks.acquire('job', { wait: 20_000, ttlMs: 2_000 }).then(l => { order.push('c'); return l })
    await waitFor(() => a.locks.list().find(l => l.name === 'job')?.waiters.length === 2, { timeoutMs: 10_000, what: 'c queued' })
    await first.release()
    const l2 = await second
    expect(l2.token).to.be.greaterThan(first.token)
    await l2.release()
    const l3 = await third
    expect(l3.token).to.be.greaterThan(l2.token)
    expect(order).to.deep.equal(['b', 'c'])
    expect(first.signal.aborted).to.equal(true)
    expect(l3.valid()).to.equal(true)
    await l3.release()
  })

  it('renews a held lease past its ttl, and the holder hears when an operator ends it', async () => {
    const lease = await follower().locks.acquire('renewed', { ttlMs: 600 })
    const start = Date.now()
    await waitFor(() => Date.now() - start > 2_000, { timeoutMs: 5_000, intervalMs: 50, what: 'three ttls' })
    expect(lease.signal.aborted).to.equal(false)
    expect(leader().locks.list().find(l => l.name === 'renewed')?.holder?.token).to.equal(lease.token)
    // An operator's release ends it; the holder hears so.
    expect(await client(leader()).lockCall({ type: 'release', name: 'renewed', token: lease.token }).then(r => r.outcome)).to.equal('released')
    await waitFor(() => lease.signal.aborted, { timeoutMs: 10_000, what: 'the holder hears its lease ended' })
  })

  it('a waiter granted after waiting longer than its ttl holds a lease that is valid and renews', async () => {
    const held = await leader().locks.acquire('long-wait', { ttlMs: 5_000 })
    const waiting = follower().locks.acquire('long-wait', { ttlMs: 1_000, wait: true })
    await waitFor(() => leader().locks.list().find(l => l.name === 'long-wait')?.waiters.length === 1, { timeoutMs: 10_000, what: 'queued' })
    const queuedAt = Date.now()
    await waitFor(() => Date.now() - queuedAt > 1_200, { timeoutMs: 5_000, intervalMs: 50, what: 'more than the waiter\'s ttl' })
    await held.release()
    const lease = await waiting
    expect(lease.valid()).to.equal(true)
    const grantedAt = Date.now()
    await waitFor(() => Date.now() - grantedAt > 2_200, { timeoutMs: 5_000, intervalMs: 50, what: 'three of its ttls' })
    expect(lease.signal.aborted, String(lease.signal.reason)).to.equal(false)
    expect(lease.valid()).to.equal(true)
    await lease.release()
  })

  it('a waiter whose wait runs out is told the lock is busy', async () => {
    const held = await leader().locks.acquire('short', { ttlMs: 5_000 })
    const err = await follower().locks.acquire('short', { wait: 300 }).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(LockBusyError)
    await held.release()
  })

  it('an aborted wait is withdrawn', async () => {
    const held = await leader().locks.acquire('abort', { ttlMs: 5_000 })
    const ac = new AbortController()
    const waiting = follower().locks.acquire('abort', { wait: true, signal: ac.signal }).catch((e: unknown) => e)
    await waitFor(() => leader().locks.list().find(l => l.name === 'abort')?.waiters.length === 1, { timeoutMs: 10_000, what: 'queued' })
    ac.abort()
    expect((await waiting as Error).name).to.equal('AbortError')
    await waitFor(() => leader().locks.list().find(l => l.name === 'abort')?.waiters.length === 0, { timeoutMs: 10_000, what: 'the wait withdrawn' })
    await held.release()
  })

  it('the management API reads, writes (through a follower), watches and lists locks', async () => {
    const f = client(follower())
    const put = await f.stateWrite({ type: 'put', key: 'rpc/k', value: new TextEncoder().encode('v') })
    expect(put.outcome).to.equal('ok')
    const mismatch = await f.stateWrite({ type: 'put', key: 'rpc/k', value: new Uint8Array(), expected: 0 })
    expect(mismatch).to.deep.include({ outcome: 'mismatch' })
    const got = await f.stateGet('rpc/k', { consistent: true })
    expect(text(got.record?.value)).to.equal('v')
    expect((await f.stateList('rpc/')).records.map(r => r.key)).to.deep.equal(['rpc/k'])
    const ac = new AbortController()
    const changes: number[] = []
    const watching = (async () => {
      for await (const c of f.stateWatch('rpc/', put.outcome === 'ok' ? put.revision : 0, { signal: ac.signal })) {
        changes.push(c.revision)
        if (changes.length === 2) ac.abort()
      }
    })()
    await f.stateWrite({ type: 'delete', key: 'rpc/k' })
    await watching
    expect(changes.length).to.equal(2)
    const lease = await follower().locks.acquire('listed', { ttlMs: 5_000 })
    await waitFor(async () => (await f.locks()).some(l => l.name === 'listed' && l.holder?.token === lease.token), { timeoutMs: 10_000, what: 'the lock listed' })
    await lease.release()
  })
})
