import { ManualClock, NotLeaderError, TimeoutError, waitFor } from '@clusterfunk/core'
import { expect } from 'chai'
import { ConfigurationChangedError, ProposalLimitError, UnknownOutcomeError, isNonVoter, isVoter } from '../src/index.js'
import { Deadlines } from '../src/deadlines.js'
import { PendingRequests } from '../src/pending-requests.js'
import { setCommand } from './helpers/kv-fsm.js'
import { MemoryCluster } from './helpers/memory-cluster.js'

describe('what apply and the membership calls tell the caller', () => {
  let c: MemoryCluster

  beforeEach(() => { c = new MemoryCluster() })
  afterEach(async () => { await c.stopAll() })

  it('a proposal whose entry a snapshot from the new leader replaced rejects with UnknownOutcomeError, not NotLeaderError', async function () {
    this.timeout(20_000)
    await c.bootstrap(['a', 'b', 'c'], { snapshotThreshold: 10, trailingLogs: 2 })
    const old = await c.leader()
    await old.raft.apply(setCommand('before', '1'))
    c.network.isolate(`mem-${old.id}`)
    const outcome = old.raft.apply(setCommand('lost', '1'), { timeoutMs: 15_000 }).then(() => 'applied', (e: unknown) => e)
    const others = [...c.nodes.values()].filter(n => n !== old)
    const next = await waitFor(() => others.find(n => n.raft.stats().role === 'leader'), { timeoutMs: 5000, what: 'a new leader' })
    for (let i = 0; i < 30; i++) await next.raft.apply(setCommand(`k${i}`, 'v'))
    await waitFor(() => next.raft.stats().firstIndex > old.raft.stats().lastIndex, { timeoutMs: 5000, what: 'the new leader to compact past the old one\'s log' })
    c.network.isolate(`mem-${old.id}`, false)
    const err = await outcome
    expect(err).to.be.instanceOf(UnknownOutcomeError)
    expect((err as Error).name).to.equal('UnknownOutcomeError')
    expect(err).not.to.be.instanceOf(NotLeaderError)
    await waitFor(() => old.fsm.map.get('k29') === 'v', { timeoutMs: 5000 })
  })

  it('apply fails fast with ProposalLimitError once maxUncommittedBytes of proposals wait, and accepts again after they commit', async () => {
    await c.bootstrap(['a', 'b', 'c'], { maxUncommittedBytes: 100 })
    const leader = await c.leader()
    for (const f of c.followers()) c.network.isolate(`mem-${f.id}`)
    const big = (v: string): Uint8Array => setCommand('k', v.repeat(60))
    const first = leader.raft.apply(big('a'), { timeoutMs: 5000 })
    const err = await leader.raft.apply(big('b')).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(ProposalLimitError)
    expect((err as Error).name).to.equal('ProposalLimitError')
    expect(leader.raft.stats().pendingProposals).to.equal(1)
    for (const f of c.followers()) c.network.isolate(`mem-${f.id}`, false)
    await first
    await leader.raft.apply(big('c'))
  })

  it('a membership change based on a stale configuration index fails fast with ConfigurationChangedError', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    await leader.raft.barrier()
    const base = leader.raft.stats().configurationIndex
    expect(base).to.equal(1)
    await leader.raft.addNonVoter('d', 'mem-d', { prevIndex: base })
    const changed = leader.raft.stats().configurationIndex
    expect(changed).to.be.greaterThan(base)
    const err = await leader.raft.removeServer('d', { prevIndex: base }).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(ConfigurationChangedError)
    expect((err as ConfigurationChangedError).configurationIndex).to.equal(changed)
    expect(isNonVoter(leader.raft.configuration(), 'd')).to.equal(true)
    const again = await leader.raft.addVoter('e', 'mem-e', { prevIndex: base }).catch((e: unknown) => e)
    expect(again).to.be.instanceOf(ConfigurationChangedError)
    await leader.raft.removeServer('d', { prevIndex: changed })
    expect(isNonVoter(leader.raft.configuration(), 'd')).to.equal(false)
  })

  it('addVoter never promotes a non-voter that never answered, however short the log', async () => {
    await c.bootstrap(['a', 'b', 'c'])
    const leader = await c.leader()
    await leader.raft.barrier()
    // Nothing listens at mem-ghost: the log (a few entries) is far shorter than catchUpLag (64).
    const err = await leader.raft.addVoter('ghost', 'mem-ghost', { timeoutMs: 1500 }).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(TimeoutError)
    const config = leader.raft.configuration()
    expect(isVoter(config, 'ghost')).to.equal(false)
    expect(isNonVoter(config, 'ghost')).to.equal(true)
    // A member that does answer is still promoted.
    await c.add('d')
    await leader.raft.addVoter('d', 'mem-d', { timeoutMs: 5000 })
    expect(isVoter(leader.raft.configuration(), 'd')).to.equal(true)
  })
})

describe('pending proposals', () => {
  const pending = (clock: ManualClock): PendingRequests =>
    new PendingRequests({ clock, deadlines: new Deadlines(clock), requestTimeoutMs: 10_000, maxUncommittedBytes: 1000 })

  it('are keyed by index and term: a re-proposal at the same index in a later term is not dropped by the old one\'s timeout', async () => {
    const clock = new ManualClock()
    const p = pending(clock)
    const old = p.propose(5, 1, 10, 'apply', { timeoutMs: 100 }, () => new NotLeaderError(undefined, undefined, 'replaced')).catch((e: unknown) => e)
    const renewed = p.propose(5, 2, 10, 'apply', { timeoutMs: 10_000 }, () => new NotLeaderError())
    // The old entry is no longer in the leader's log: it can never commit.
    expect(await old).to.be.instanceOf(NotLeaderError)
    clock.advance(200)
    const s = p.settle(5, 2)
    expect(s.kind).to.equal('mine')
    if (s.kind === 'mine') s.proposal.d.resolve('done')
    expect(await renewed).to.equal('done')
    expect(p.proposalCount).to.equal(0)
  })

  it('an applied entry of another term at a proposal\'s index settles it as overwritten', () => {
    const clock = new ManualClock()
    const p = pending(clock)
    void p.propose(7, 3, 1, 'apply', {}, () => new NotLeaderError()).catch(() => {})
    expect(p.settle(7, 4).kind).to.equal('overwritten')
    expect(p.settle(8, 3).kind).to.equal('none')
  })
})
