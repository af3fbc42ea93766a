import { AbortError, MemoryMetrics, NotLeaderError, SeededRandom, TimeoutError, waitFor } from '@clusterfunk/core'
import { expect } from 'chai'
import { MemoryLogStore, MemorySnapshotStore, Raft, isVoter, isNonVoter } from '../src/index.js'
import { KvFsm, setCommand } from './helpers/kv-fsm.js'
import { MemoryCluster } from './helpers/memory-cluster.js'

describe('Raft service on the in-memory transport', () => {
  let c: MemoryCluster

  beforeEach(() => { c = new MemoryCluster() })
  afterEach(async () => { await c.stopAll() })

  it('elects one leader among three bootstrapped nodes', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    await waitFor(() => c.followers().every(f => f.raft.stats().leaderId === leader.id), { timeoutMs: 3000 })
    expect(c.followers()).to.have.length(2)
  })

  it('resolves apply with the state machine result on every node', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    const index = await leader.raft.apply(setCommand('x', '1'))
    expect(index).to.be.a('number').greaterThan(1)
    await waitFor(() => [...c.nodes.values()].every(n => n.fsm.map.get('x') === '1'), { timeoutMs: 3000 })
  })

  it('rejects apply on a follower with NotLeaderError naming the leader and its address', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    const follower = c.followers()[0]!
    await waitFor(() => follower.raft.stats().leaderId === leader.id, { timeoutMs: 3000 })
    const err = await follower.raft.apply(setCommand('x', '1')).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(NotLeaderError)
    expect((err as NotLeaderError).leaderId).to.equal(leader.id)
    expect((err as NotLeaderError).leaderAddress).to.equal(`mem-${leader.id}`)
  })

  it('times out and aborts apply when no quorum is reachable', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    for (const f of c.followers()) c.network.isolate(`mem-${f.id}`)
    const timedOut = await leader.raft.apply(setCommand('y', '1'), { timeoutMs: 50 }).catch((e: unknown) => e)
    expect(timedOut).to.be.instanceOf(TimeoutError)
    const ac = new AbortController()
    const pending = leader.raft.apply(setCommand('y', '2'), { signal: ac.signal }).catch((e: unknown) => e)
    ac.abort()
    expect(await pending).to.be.instanceOf(AbortError)
  })

  it('barrier resolves once the whole log is applied on the leader', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    const writes = Array.from({ length: 20 }, async (_, i) => await leader.raft.apply(setCommand(`k${i}`, 'v')))
    await leader.raft.barrier()
    expect(leader.fsm.map.size).to.equal(20)
    await Promise.all(writes)
  })

  it('serves linearizable reads on the leader and on followers', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    await leader.raft.apply(setCommand('r', 'v1'))
    expect(await leader.raft.read(() => leader.fsm.map.get('r'))).to.equal('v1')
    const follower = c.followers()[0]!
    await waitFor(() => follower.raft.stats().leaderId === leader.id, { timeoutMs: 3000 })
    expect(await follower.raft.read(() => follower.fsm.map.get('r'))).to.equal('v1')
  })

  it('serves lease reads on a leader holding its lease', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    await leader.raft.apply(setCommand('l', 'v'))
    await waitFor(() => leader.raft.stats().lastContactMs.size === 2, { timeoutMs: 3000 })
    expect(await leader.raft.read(() => leader.fsm.map.get('l'), { lease: true })).to.equal('v')
  })

  it('adds a voter as a non-voter first and promotes it once caught up', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    for (let i = 0; i < 30; i++) await leader.raft.apply(setCommand(`m${i}`, 'v'))
    const d = await c.add('d')
    const seen: boolean[] = []
    leader.raft.addEventListener('peer:change', (e) => { seen.push(isNonVoter(e.detail.configuration, 'd')) })
    await leader.raft.addVoter('d', 'mem-d')
    expect(seen[0]).to.equal(true)
    expect(isVoter(leader.raft.configuration(), 'd')).to.equal(true)
    await waitFor(() => d.fsm.map.size === 30, { timeoutMs: 3000 })
  })

  it('adds a non-voter, demotes a voter and removes a server', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    await c.add('e')
    // A leader refuses membership changes until it has committed an entry of its term (its no-op).
    await leader.raft.barrier()
    await leader.raft.addNonVoter('e', 'mem-e')
    expect(isNonVoter(leader.raft.configuration(), 'e')).to.equal(true)
    const f = c.followers().find(n => n.id !== 'e')!
    await leader.raft.demoteVoter(f.id)
    expect(isNonVoter(leader.raft.configuration(), f.id)).to.equal(true)
    await leader.raft.removeServer('e')
    const cfg = leader.raft.configuration()
    expect([...cfg.voters, ...cfg.nonVoters].map(m => m.id)).to.not.include('e')
  })

  it('transfers leadership to another voter', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    await leader.raft.apply(setCommand('t', '1'))
    const target = c.followers()[0]!.id
    expect(await leader.raft.transferLeadership(target)).to.equal(target)
    await waitFor(() => c.node(target).raft.stats().role === 'leader', { timeoutMs: 3000 })
  })

  it('emits role and leader events and reports metrics', async () => {
    const metrics = new MemoryMetrics()
    const store = new MemoryLogStore()
    const raft = new Raft({ transport: c.network.transport('mem-solo'), logStore: store, stableStore: store, snapshotStore: new MemorySnapshotStore(), fsm: new KvFsm(), metrics, random: new SeededRandom(3) }, { id: 'solo', preset: 'fast' })
    const roles: string[] = []
    raft.addEventListener('role:change', (e) => { roles.push(e.detail.role) })
    const leaders: Array<string | undefined> = []
    raft.addEventListener('leader:change', (e) => { leaders.push(e.detail.leaderId) })
    await raft.start()
    try {
      await raft.bootstrap({ voters: [{ id: 'solo', address: 'mem-solo' }], nonVoters: [] })
      await waitFor(() => raft.stats().role === 'leader', { timeoutMs: 3000 })
      await raft.apply(setCommand('a', 'b'))
      expect(roles).to.include('leader')
      expect(leaders).to.include('solo')
      expect(metrics.get('clusterfunk_raft_proposals_total')).to.equal(1)
      expect(metrics.observed('clusterfunk_raft_commit_latency_seconds')).to.have.length(1)
      expect(metrics.get('clusterfunk_raft_leader_changes_total')).to.be.greaterThan(0)
    } finally {
      await raft.stop()
    }
  })

  it('snapshots, compacts, and catches a lagging follower up by InstallSnapshot', async () => {
    await c.bootstrap(['a', 'b', 'c'], { snapshotThreshold: 20, trailingLogs: 5 })
    const leader = await c.leader()
    const lagging = c.followers()[0]!
    await lagging.raft.stop()
    for (let i = 0; i < 60; i++) await leader.raft.apply(setCommand(`s${i}`, String(i)))
    await waitFor(() => leader.raft.stats().firstIndex > 5, { timeoutMs: 3000, what: 'compaction' })
    const restarted = await c.add(lagging.id, { snapshotThreshold: 20, trailingLogs: 5 }, { store: lagging.store, snapshots: lagging.snapshots })
    await waitFor(() => restarted.fsm.map.size === 60, { timeoutMs: 5000, what: 'catch-up' })
    expect(restarted.fsm.map.get('s59')).to.equal('59')
    expect(restarted.fsm.restores, 'restored from the leader snapshot').to.equal(1)
    expect(restarted.raft.stats().snapshotIndex).to.be.greaterThan(0)
  })

  it('restores the state machine from its snapshot and log after a restart', async () => {
    await c.bootstrap(['a', 'b', 'c'], { snapshotThreshold: 10, trailingLogs: 2 })
    const leader = await c.leader()
    for (let i = 0; i < 25; i++) await leader.raft.apply(setCommand(`p${i}`, String(i)))
    const f = c.followers()[0]!
    await waitFor(() => f.fsm.map.size === 25, { timeoutMs: 3000 })
    await f.raft.snapshot()
    await f.raft.stop()
    const again = await c.add(f.id, { snapshotThreshold: 10, trailingLogs: 2 }, { store: f.store, snapshots: f.snapshots })
    await waitFor(() => again.fsm.map.size === 25, { timeoutMs: 3000 })
    expect(again.fsm.map.get('p24')).to.equal('24')
  })

  it('reports a silent member with heartbeat:failed and its return with heartbeat:resumed', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    const f = c.followers()[0]!
    const ac = new AbortController()
    const seen: string[] = []
    const reading = (async () => {
      for await (const e of leader.raft.events({ signal: ac.signal })) {
        if (e.type.startsWith('heartbeat:')) seen.push(`${e.type} ${(e.detail as { nodeId: string }).nodeId}`)
      }
    })().catch(() => {})
    c.network.isolate(`mem-${f.id}`)
    await waitFor(() => seen.includes(`heartbeat:failed ${f.id}`), { timeoutMs: 3000 })
    c.network.isolate(`mem-${f.id}`, false)
    await waitFor(() => seen.includes(`heartbeat:resumed ${f.id}`), { timeoutMs: 3000 })
    ac.abort()
    await reading
    expect(seen.indexOf(`heartbeat:failed ${f.id}`)).to.be.lessThan(seen.indexOf(`heartbeat:resumed ${f.id}`))
  })

  it('stops serving with the disk error when a log write fails', async () => {
    class FailingStore extends MemoryLogStore {
      fail = false
      override async storeLogs (entries: Parameters<MemoryLogStore['storeLogs']>[0]): Promise<void> {
        if (this.fail) throw new Error('disk full')
        await super.storeLogs(entries)
      }
    }
    const store = new FailingStore()
    const raft = new Raft({ transport: c.network.transport('mem-disk'), logStore: store, stableStore: store, snapshotStore: new MemorySnapshotStore(), fsm: new KvFsm(), random: new SeededRandom(5) }, { id: 'disk', preset: 'fast' })
    await raft.start()
    try {
      await raft.bootstrap({ voters: [{ id: 'disk', address: 'mem-disk' }], nonVoters: [] })
      await waitFor(() => raft.stats().role === 'leader', { timeoutMs: 3000 })
      store.fail = true
      const err = await raft.apply(setCommand('a', 'b')).catch((e: unknown) => e)
      expect((err as Error).message).to.equal('disk full')
      expect(() => raft.stats()).to.throw('disk full')
    } finally {
      await raft.stop()
    }
  })

  it('refuses to bootstrap a node that has state', async () => {
    await c.bootstrap(['a'])
    const err = await c.node('a').raft.bootstrap({ voters: [{ id: 'a', address: 'mem-a' }], nonVoters: [] }).catch((e: unknown) => e)
    expect((err as Error).message).to.match(/already has state/)
  })
  it('discards a log left behind by a crash between storing a leader\'s snapshot and clearing the log', async () => {
    const store = new MemoryLogStore()
    const snapshots = new MemorySnapshotStore()
    const configuration = { voters: [{ id: 'a', address: 'mem-a' }], nonVoters: [] }
    // What such a crash leaves: the old log (ending at 3) and the durable snapshot at 10 that replaced it.
    await store.storeLogs([1, 2, 3].map(index => ({ index, term: 1, type: 'noop' as const, data: new Uint8Array(0) })))
    await store.setHardState({ term: 2, vote: undefined, commit: 3 })
    const sink = await snapshots.create({ index: 10, term: 2, configuration })
    await sink.write(new TextEncoder().encode('[["x","9"]]'))
    await sink.close()
    const node = await c.add('a', {}, { store, snapshots })
    expect(store.lastIndex()).to.equal(0)
    await waitFor(() => node.raft.stats().role === 'leader', { timeoutMs: 3000 })
    await node.raft.apply(setCommand('y', '1'))
    expect(store.firstIndex()).to.equal(11)
    expect([node.fsm.map.get('x'), node.fsm.map.get('y')]).to.deep.equal(['9', '1'])
  })
})
