import { expect } from 'chai'
import { InvalidArgumentError, InvalidConfigError, SeededRandom } from '@clusterfunk/core'
import { SwimCore } from '../src/swim-core.js'
import { suspicionBounds, suspicionTimeout } from '../src/suspicion.js'
import { ackingExcept, addr, alive, collected, coreWith, makeCore, runUntil as run, sent, type Collected } from './helpers.js'

/** Runs the core while every member acks its pings, so its own probes raise no suspicions. */
function runUntil (core: SwimCore, from: number, until: number, into: Collected = collected(), stop?: (c: Collected) => boolean): number {
  return run(core, from, until, into, stop, ackingExcept())
}

const others = ['b', 'c', 'd', 'e', 'f']
// a + 5 others: N = 6, so min = 4 × 1 × 1000, max = 6 × min, wanted confirmations 2
const bounds = suspicionBounds(4, 6, 6, 1000)

function quietCore (): SwimCore {
  // no gossip or probing noise in the way of the membership rules
  return coreWith(others, { pushPullIntervalMs: 0, tcpFallbackPing: false })
}

describe('SwimCore membership', () => {
  it('a member first heard of as alive joins', () => {
    const core = makeCore()
    core.receive(5, addr('b'), alive('b', 3, { role: 'db' }))
    const out = core.drain()
    expect(out.events.map(e => e.type)).to.deep.equal(['member:join'])
    expect(core.member('b')).to.deep.include({ status: 'alive', incarnation: 3, address: addr('b') })
    expect(core.member('b')?.tags.get('role')).to.equal('db')
  })

  it('a suspicion starts at the maximum timeout without confirmations', () => {
    const core = quietCore()
    core.receive(100, addr('b'), { type: 'suspect', node: 'c', incarnation: 1, from: 'b' })
    const c = collected()
    runUntil(core, 100, 100 + bounds.maxMs - 1, c)
    expect(c.events.filter(e => e.type === 'member:failed')).to.deep.equal([])
    runUntil(core, 100 + bounds.maxMs - 1, 100 + bounds.maxMs, c)
    expect(c.events.filter(e => e.type === 'member:failed').map(e => e.member.id)).to.deep.equal(['c'])
  })

  it('independent confirmations shrink the suspicion timeout', () => {
    const core = quietCore()
    core.receive(0, addr('b'), { type: 'suspect', node: 'c', incarnation: 1, from: 'b' })
    core.receive(10, addr('d'), { type: 'suspect', node: 'c', incarnation: 1, from: 'd' })
    const oneConfirmation = suspicionTimeout(bounds.minMs, bounds.maxMs, 1, 2)
    const c = collected()
    runUntil(core, 10, oneConfirmation - 1, c)
    expect(c.events.filter(e => e.type === 'member:failed')).to.deep.equal([])
    runUntil(core, oneConfirmation - 1, oneConfirmation, c)
    expect(c.events.filter(e => e.type === 'member:failed')).to.have.length(1)
  })

  it('the wanted confirmations bring the suspicion timeout down to its minimum', () => {
    const core = quietCore()
    core.receive(0, addr('b'), { type: 'suspect', node: 'c', incarnation: 1, from: 'b' })
    core.receive(10, addr('d'), { type: 'suspect', node: 'c', incarnation: 1, from: 'd' })
    core.receive(20, addr('d'), { type: 'suspect', node: 'c', incarnation: 1, from: 'd' })
    core.receive(30, addr('e'), { type: 'suspect', node: 'c', incarnation: 1, from: 'e' })
    const c = collected()
    runUntil(core, 30, bounds.minMs, c)
    expect(c.events.filter(e => e.type === 'member:failed').map(e => [e.member.id, e.at])).to.deep.equal([['c', bounds.minMs]])
  })

  it('with suspicionMaxTimeoutMult 1 a suspicion times out at its minimum without confirmations', () => {
    const core = coreWith(others, { pushPullIntervalMs: 0, tcpFallbackPing: false, suspicionMaxTimeoutMult: 1 })
    core.receive(0, addr('b'), { type: 'suspect', node: 'c', incarnation: 1, from: 'b' })
    const c = collected()
    runUntil(core, 0, bounds.minMs, c)
    expect(c.events.filter(e => e.type === 'member:failed').map(e => [e.member.id, e.at])).to.deep.equal([['c', bounds.minMs]])
  })

  it('a repeated confirmation from the same member is not re-gossiped', () => {
    const core = quietCore()
    core.receive(0, addr('b'), { type: 'suspect', node: 'c', incarnation: 1, from: 'b' })
    core.receive(10, addr('d'), { type: 'suspect', node: 'c', incarnation: 1, from: 'd' })
    const c = collected()
    runUntil(core, 10, 2000, c)
    const transmitted = sent(c, 'suspect').filter(s => s.message.from === 'd').length
    expect(transmitted).to.be.greaterThan(0)
    core.receive(2000, addr('d'), { type: 'suspect', node: 'c', incarnation: 1, from: 'd' })
    const after = collected()
    runUntil(core, 2000, 4000, after)
    expect(sent(after, 'suspect').filter(s => s.message.from === 'd')).to.have.length(0)
  })

  it('a dead suspect is gossiped as dead from this node', () => {
    const core = quietCore()
    core.receive(0, addr('b'), { type: 'suspect', node: 'c', incarnation: 1, from: 'b' })
    const c = collected()
    runUntil(core, 0, bounds.maxMs + 1000, c)
    expect(core.member('c')?.status).to.equal('dead')
    expect(sent(c, 'dead').map(d => d.message)).to.deep.include({ type: 'dead', node: 'c', incarnation: 1, from: 'a' })
  })

  it('a suspected member that announces a higher incarnation is alive again', () => {
    const core = quietCore()
    core.receive(0, addr('b'), { type: 'suspect', node: 'c', incarnation: 1, from: 'b' })
    core.receive(50, addr('c'), alive('c', 2))
    const out = core.drain()
    expect(out.events.map(e => e.type)).to.deep.equal(['member:suspect', 'member:alive'])
    expect(core.member('c')).to.deep.include({ status: 'alive', incarnation: 2 })
    const c = collected()
    runUntil(core, 50, bounds.maxMs + 1000, c)
    expect(c.events.filter(e => e.type === 'member:failed')).to.deep.equal([])
  })

  it('an alive message at the same incarnation does not clear a suspicion', () => {
    const core = quietCore()
    core.receive(0, addr('b'), { type: 'suspect', node: 'c', incarnation: 1, from: 'b' })
    core.receive(50, addr('c'), alive('c', 1))
    expect(core.member('c')?.status).to.equal('suspect')
  })

  it('a node that hears itself suspected refutes with a higher incarnation', () => {
    const core = quietCore()
    core.receive(0, addr('b'), { type: 'suspect', node: 'a', incarnation: 4, from: 'b' })
    expect(core.member('a')).to.deep.include({ status: 'alive', incarnation: 5 })
    expect(core.healthScore).to.equal(1)
    const c = collected()
    runUntil(core, 0, 500, c)
    expect(sent(c, 'alive').map(a => a.message)).to.deep.include({ type: 'alive', node: 'a', incarnation: 5, address: addr('a'), tags: new Map() })
  })

  it('a node that hears itself declared dead refutes', () => {
    const core = quietCore()
    core.receive(0, addr('b'), { type: 'dead', node: 'a', incarnation: 1, from: 'b' })
    expect(core.member('a')).to.deep.include({ status: 'alive', incarnation: 2 })
  })

  it('a node refutes an alive message about itself that differs from what it announces', () => {
    const core = quietCore()
    core.receive(0, addr('b'), alive('a', 1, { stale: 'yes' }))
    expect(core.member('a')?.incarnation).to.equal(2)
    core.receive(0, addr('b'), alive('a', 2))
    expect(core.member('a')?.incarnation).to.equal(2)
  })

  it('news older than what is known is ignored', () => {
    const core = quietCore()
    core.receive(0, addr('c'), alive('c', 5))
    core.receive(1, addr('b'), { type: 'suspect', node: 'c', incarnation: 4, from: 'b' })
    core.receive(2, addr('b'), { type: 'dead', node: 'c', incarnation: 4, from: 'b' })
    expect(core.member('c')).to.deep.include({ status: 'alive', incarnation: 5 })
  })

  it('a member that leaves is gossiped as dead from itself and seen as left', () => {
    const core = quietCore()
    core.receive(7, addr('c'), { type: 'dead', node: 'c', incarnation: 1, from: 'c' })
    const out = core.drain()
    expect(out.events.map(e => [e.type, e.member.id])).to.deep.equal([['member:leave', 'c']])
    expect(core.member('c')?.status).to.equal('left')
    const c = collected()
    runUntil(core, 7, 1000, c)
    expect(sent(c, 'dead').map(d => d.message)).to.deep.include({ type: 'dead', node: 'c', incarnation: 1, from: 'c' })
  })

  it('a leaving node gossips its leave until it went out its retransmit limit, then reports the leave done', () => {
    const core = quietCore()
    core.tick(0)
    core.leave(1)
    expect(core.member('a')?.status).to.equal('left')
    expect(core.leaveBroadcastDone).to.equal(false)
    const c = collected()
    runUntil(core, 1, 20_000, c, () => core.leaveBroadcastDone)
    expect(core.leaveBroadcastDone).to.equal(true)
    const leaves = sent(c, 'dead').filter(d => d.message.node === 'a' && d.message.from === 'a')
    // retransmit limit for N = 6: 4 × ⌈log10 7⌉ = 4
    expect(leaves).to.have.length(4)
  })

  it('a leaving node with no one to tell is done at once', () => {
    const core = makeCore()
    core.leave(0)
    expect(core.leaveBroadcastDone).to.equal(true)
  })

  it('a node that left stops probing and ignores news of itself alive', () => {
    const core = quietCore()
    core.leave(0)
    const c = collected()
    runUntil(core, 0, 10_000, c)
    expect(sent(c, 'ping')).to.deep.equal([])
    core.receive(10_000, addr('b'), { type: 'suspect', node: 'a', incarnation: 1, from: 'b' })
    core.receive(10_000, addr('b'), alive('a', 9))
    expect(core.member('a')).to.deep.include({ status: 'left', incarnation: 1 })
    expect(() => { core.setTags(10_000, { x: '1' }) }).to.throw(InvalidArgumentError)
  })

  it('a restarted node rejoins with an incarnation above the one it died with', () => {
    const old = quietCore()
    old.receive(0, addr('b'), { type: 'dead', node: 'c', incarnation: 7, from: 'b' })
    expect(old.member('c')?.status).to.equal('dead')
    // c restarts at incarnation 1 and pulls a's state, where it is dead at 7
    const restarted = makeCore('c', {}, 9)
    restarted.mergeRemoteState(100, old.localState())
    expect(restarted.member('c')).to.deep.include({ status: 'alive', incarnation: 8 })
    old.mergeRemoteState(100, restarted.localState())
    const out = old.drain()
    expect(old.member('c')).to.deep.include({ status: 'alive', incarnation: 8 })
    expect(out.events.map(e => [e.type, e.member.id])).to.deep.include(['member:join', 'c'])
  })

  it('a live member\'s address cannot be taken by a node at another address', () => {
    const core = quietCore()
    core.receive(0, '10.0.0.99:7946', alive('c', 9, {}, '10.0.0.99:7946'))
    expect(core.member('c')).to.deep.include({ address: addr('c'), incarnation: 1 })
  })

  it('a dead member\'s name is taken by a node at a new address', () => {
    const core = quietCore()
    core.receive(0, addr('b'), { type: 'dead', node: 'c', incarnation: 1, from: 'b' })
    core.drain()
    core.receive(10, '10.0.0.99:7946', alive('c', 1, {}, '10.0.0.99:7946'))
    expect(core.member('c')).to.deep.include({ status: 'alive', address: '10.0.0.99:7946' })
    expect(core.drain().events.map(e => e.type)).to.deep.equal(['member:join'])
  })

  it('a dead member\'s name is taken only after the dead-node reclaim time', () => {
    const core = coreWith(others, { deadNodeReclaimTimeMs: 5000 })
    core.receive(0, addr('b'), { type: 'dead', node: 'c', incarnation: 1, from: 'b' })
    core.receive(4999, '10.0.0.99:7946', alive('c', 2, {}, '10.0.0.99:7946'))
    expect(core.member('c')).to.deep.include({ status: 'dead', address: addr('c') })
    core.receive(5000, '10.0.0.99:7946', alive('c', 2, {}, '10.0.0.99:7946'))
    expect(core.member('c')).to.deep.include({ status: 'alive', address: '10.0.0.99:7946' })
  })

  it('a member that left can be replaced at a new address at once', () => {
    const core = coreWith(others, { deadNodeReclaimTimeMs: 60_000 })
    core.receive(0, addr('c'), { type: 'dead', node: 'c', incarnation: 1, from: 'c' })
    core.receive(1, '10.0.0.99:7946', alive('c', 1, {}, '10.0.0.99:7946'))
    expect(core.member('c')).to.deep.include({ status: 'alive', address: '10.0.0.99:7946' })
  })

  it('with reconnects off, tombstones of failed members are reaped after the gossip-to-the-dead time', () => {
    const core = coreWith(others, { pushPullIntervalMs: 0, tcpFallbackPing: false, reconnectIntervalMs: 0 })
    core.receive(0, addr('b'), { type: 'dead', node: 'c', incarnation: 1, from: 'b' })
    const c = collected()
    runUntil(core, 0, 30_000, c)
    expect(core.member('c')?.status).to.equal('dead')
    runUntil(core, 30_000, 30_001, c)
    expect(core.member('c')).to.equal(undefined)
    expect(c.events.map(e => [e.type, e.member.id])).to.deep.include(['member:reap', 'c'])
  })

  it('recently dead members still receive gossip, reaped ones do not', () => {
    const core = makeCore('a', { gossipNodes: 5, pushPullIntervalMs: 0 })
    core.receive(0, addr('b'), alive('b'))
    core.receive(0, addr('b'), { type: 'dead', node: 'b', incarnation: 1, from: 'x' })
    const c = collected()
    runUntil(core, 0, 1000, c)
    expect(c.packets.filter(p => p.to === addr('b') && !p.messages.some(m => m.type === 'ping'))).to.not.deep.equal([])
    runUntil(core, 1000, 31_000, c)
    const late = collected()
    core.setTags(31_000, { v: '2' })
    runUntil(core, 31_000, 33_000, late)
    expect(late.packets.filter(p => p.to === addr('b'))).to.deep.equal([])
  })

  it('a tags update raises the incarnation and is gossiped as alive', () => {
    const core = quietCore()
    core.setTags(0, { 'ep.http': 'http://10.0.0.1:8080' })
    expect(core.member('a')).to.deep.include({ incarnation: 2 })
    const c = collected()
    runUntil(core, 0, 1000, c)
    const announced = sent(c, 'alive').map(a => a.message).filter(m => m.node === 'a')
    expect(announced.length).to.be.greaterThan(0)
    expect(announced[0]?.incarnation).to.equal(2)
    expect(announced[0]?.tags.get('ep.http')).to.equal('http://10.0.0.1:8080')
  })

  it('a member whose tags change is reported updated', () => {
    const core = quietCore()
    core.receive(0, addr('c'), alive('c', 2, { 'ep.raft': '1' }))
    const out = core.drain()
    expect(out.events.map(e => e.type)).to.deep.equal(['member:update'])
    expect(out.events[0]?.member.tags.get('ep.raft')).to.equal('1')
  })

  it('tags over the size limit are refused locally and dropped from the wire', () => {
    expect(() => makeCore('a', { maxTagsBytes: 10 }, 1, { key: 'a value that is too long' })).to.throw(InvalidConfigError)
    const core = makeCore('a', { maxTagsBytes: 10 })
    expect(() => { core.setTags(0, { key: 'a value that is too long' }) }).to.throw(InvalidArgumentError)
    core.receive(0, addr('b'), alive('b', 1, { key: 'a value that is too long' }))
    expect(core.member('b')).to.equal(undefined)
  })

  it('push/pull merges alive, left and suspects the dead rather than killing them', () => {
    const core = quietCore()
    core.mergeRemoteState(0, {
      join: false,
      members: [
        { node: 'x', address: addr('x'), incarnation: 3, status: 'alive', tags: new Map() },
        { node: 'b', address: addr('b'), incarnation: 1, status: 'left', tags: new Map() },
        { node: 'c', address: addr('c'), incarnation: 1, status: 'dead', tags: new Map() }
      ]
    })
    expect(core.member('x')?.status).to.equal('alive')
    expect(core.member('b')?.status).to.equal('left')
    expect(core.member('c')?.status).to.equal('suspect')
  })

  it('the local state lists every member, this node included', () => {
    const core = quietCore()
    const state = core.localState(true)
    expect(state.join).to.equal(true)
    expect(state.members.map(m => m.node).sort()).to.deep.equal(['a', ...others])
  })

  it('join asks for a push/pull with each address, and push/pull repeats on its interval', () => {
    const core = makeCore('a', { pushPullIntervalMs: 10_000 })
    core.join(0, ['s1:7946', 's2:7946'])
    expect(core.drain().requests).to.deep.equal([
      { kind: 'push-pull', to: 's1:7946', join: true },
      { kind: 'push-pull', to: 's2:7946', join: true }
    ])
    core.receive(0, addr('b'), alive('b'))
    const c = collected()
    runUntil(core, 0, 30_000, c)
    const periodic = c.requests.filter(r => r.kind === 'push-pull')
    expect(periodic).to.have.length(3)
    expect(periodic.every(r => r.to === addr('b') && r.kind === 'push-pull' && !r.join)).to.equal(true)
  })

  it('a node refuses an empty id or address', () => {
    expect(() => new SwimCore({ id: '', address: 'x', random: new SeededRandom(1) })).to.throw(InvalidConfigError)
    expect(() => new SwimCore({ id: 'a', address: '', random: new SeededRandom(1) })).to.throw(InvalidConfigError)
  })
})
