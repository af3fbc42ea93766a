import { expect } from 'chai'
import { InvalidConfigError } from '@clusterfunk/core'
import { lanConfig, localConfig, swimConfig, wanConfig, type SwimConfig } from '../src/config.js'
import type { PushPullRequest } from '../src/outputs.js'
import type { SwimCore } from '../src/swim-core.js'
import { ackingExcept, addr, alive, collected, coreWith, makeCore, runUntil, type Collected } from './helpers.js'

const QUIET: Partial<SwimConfig> = { pushPullIntervalMs: 0, tcpFallbackPing: false }
const DAY = 24 * 3_600_000

function reconnects (c: Collected): Array<PushPullRequest & { at: number }> {
  return c.requests.filter((r): r is PushPullRequest & { at: number } => r.kind === 'push-pull' && r.reconnect === true)
}

/** A core that knows `failed` as declared dead (by `x`) and `healthy` as alive. */
function withFailed (failed: string[], healthy: string[] = [], overrides: Partial<SwimConfig> = {}, seed = 1): SwimCore {
  const core = coreWith([...failed, ...healthy], { ...QUIET, ...overrides }, seed)
  for (const f of failed) core.receive(0, addr('x'), { type: 'dead', node: f, incarnation: 1, from: 'x' })
  core.drain()
  return core
}

/** Runs a push/pull between two cores by hand, as a driver would. */
function exchange (now: number, from: SwimCore, to: SwimCore): void {
  to.mergeRemoteState(now, from.localState(true))
  from.mergeRemoteState(now, to.localState())
}

describe('reconnects to failed members', () => {
  it('the presets carry Serf\'s reconnect interval and timeout, shorter ones for local', () => {
    expect(lanConfig).to.include({ reconnectIntervalMs: 30_000, reconnectTimeoutMs: DAY })
    expect(wanConfig).to.include({ reconnectIntervalMs: 30_000, reconnectTimeoutMs: DAY })
    expect(localConfig).to.include({ reconnectIntervalMs: 5000, reconnectTimeoutMs: 3_600_000 })
  })

  it('a negative reconnect interval or timeout is refused, naming the field', () => {
    expect(() => swimConfig(lanConfig, { reconnectIntervalMs: -1 })).to.throw(InvalidConfigError).with.property('option', 'reconnectIntervalMs')
    expect(() => swimConfig(lanConfig, { reconnectTimeoutMs: Number.NaN })).to.throw(InvalidConfigError).with.property('option', 'reconnectTimeoutMs')
  })

  it('a failed member is asked for a join push/pull once every reconnect interval', () => {
    const core = withFailed(['c'])
    const c = collected()
    runUntil(core, 0, 10 * lanConfig.reconnectIntervalMs, c)
    const tries = reconnects(c)
    // alone with one failed member, the probability failed / live is 1: every interval tries
    expect(tries.length).to.be.within(9, 10)
    for (const r of tries) expect(r).to.deep.include({ to: addr('c'), join: true })
    for (let i = 1; i < tries.length; i++) expect((tries[i]?.at ?? 0) - (tries[i - 1]?.at ?? 0)).to.equal(lanConfig.reconnectIntervalMs)
  })

  it('a member that left gracefully is never retried', () => {
    const core = coreWith(['c'], QUIET)
    core.receive(0, addr('c'), { type: 'dead', node: 'c', incarnation: 1, from: 'c' })
    const c = collected()
    runUntil(core, 0, 10 * lanConfig.reconnectIntervalMs, c)
    expect(core.member('c')).to.equal(undefined)
    expect(reconnects(c)).to.deep.equal([])
  })

  it('each node tries with probability failed / live members, so a cluster tries each failed member about once an interval', () => {
    const healthy = Array.from({ length: 9 }, (_, i) => `h${i}`)
    const core = withFailed(['c'], healthy, { probeIntervalMs: 1_000_000, probeTimeoutMs: 1000, gossipIntervalMs: 1_000_000 })
    const c = collected()
    runUntil(core, 0, 1000 * lanConfig.reconnectIntervalMs, c, undefined, ackingExcept('c'))
    // 1 failed of 10 live members (this node included): about 100 tries in 1000 intervals
    expect(reconnects(c).length).to.be.within(70, 130)
  })

  it('a random failed member is picked each time', () => {
    const core = withFailed(['c', 'd', 'e'])
    const c = collected()
    runUntil(core, 0, 60 * lanConfig.reconnectIntervalMs, c)
    const targets = new Set(reconnects(c).map(r => r.to))
    expect([...targets].sort()).to.deep.equal([addr('c'), addr('d'), addr('e')])
  })

  it('after the reconnect timeout a failed member is reaped for good and no longer tried', () => {
    const timeout = 5 * lanConfig.reconnectIntervalMs
    const core = withFailed(['c'], [], { reconnectTimeoutMs: timeout })
    const c = collected()
    runUntil(core, 0, timeout, c)
    expect(core.member('c')?.status).to.equal('dead')
    expect(c.events.map(e => e.type)).to.not.include('member:reap')
    runUntil(core, timeout, timeout + 1, c)
    expect(core.member('c')).to.equal(undefined)
    expect(c.events.filter(e => e.type === 'member:reap').map(e => e.member.id)).to.deep.equal(['c'])
    const late = collected()
    runUntil(core, timeout + 1, 3 * timeout, late)
    expect(reconnects(late)).to.deep.equal([])
    expect(Math.max(...reconnects(c).map(r => r.at))).to.be.at.most(timeout)
  })

  it('failed members are kept past the gossip-to-the-dead time but receive no gossip', () => {
    const core = withFailed(['c'], ['b'], { gossipNodes: 5 })
    const c = collected()
    runUntil(core, 0, lanConfig.gossipToTheDeadTimeMs + 1, c, undefined, ackingExcept('c'))
    const late = collected()
    core.setTags(lanConfig.gossipToTheDeadTimeMs + 1, { v: '2' })
    runUntil(core, lanConfig.gossipToTheDeadTimeMs + 1, lanConfig.gossipToTheDeadTimeMs + 5000, late, undefined, ackingExcept('c'))
    expect(core.member('c')?.status).to.equal('dead')
    expect(late.packets.filter(p => p.to === addr('c'))).to.deep.equal([])
    expect(late.packets.filter(p => p.to === addr('b'))).to.not.deep.equal([])
  })

  it('with reconnects off nothing is retried', () => {
    const core = withFailed(['c'], [], { reconnectIntervalMs: 0 })
    const c = collected()
    runUntil(core, 0, 10 * lanConfig.reconnectIntervalMs, c)
    expect(reconnects(c)).to.deep.equal([])
  })

  it('a reconnect exchange between two sides that declared each other failed brings both back alive at higher incarnations', () => {
    const a = withFailed(['b'], [], {}, 1)
    const b = makeCore('b', QUIET, 2)
    b.receive(0, addr('x'), alive('a'))
    b.receive(0, addr('x'), { type: 'dead', node: 'a', incarnation: 1, from: 'x' })
    b.drain()
    const ca = collected()
    runUntil(a, 0, lanConfig.reconnectIntervalMs, ca, c => reconnects(c).length > 0)
    const now = reconnects(ca)[0]?.at ?? 0
    exchange(now, a, b)
    // b read that it was declared dead and refuted; a took b's refutation and refuted in turn
    expect(b.member('b')?.incarnation).to.equal(2)
    expect(a.member('b')).to.deep.include({ status: 'alive', incarnation: 2 })
    expect(a.member('a')?.incarnation).to.equal(2)
    expect(a.drain().events.map(e => [e.type, e.member.id])).to.deep.include(['member:join', 'b'])
    // a's refutation reaches b as an ordinary alive message, which outranks the old death
    b.receive(now + 1, addr('a'), a.localState().members.filter(m => m.node === 'a').map(m => alive(m.node, m.incarnation))[0] ?? alive('a'))
    expect(b.member('a')).to.deep.include({ status: 'alive', incarnation: 2 })
    expect(b.drain().events.map(e => [e.type, e.member.id])).to.deep.include(['member:join', 'a'])
  })

  it('a stale reconnect reply at the incarnation the member died with does not revive it', () => {
    const a = withFailed(['b'])
    const b = makeCore('b', QUIET, 2)
    a.mergeRemoteState(1, b.localState())
    expect(a.member('b')).to.deep.include({ status: 'dead', incarnation: 1 })
  })
})
