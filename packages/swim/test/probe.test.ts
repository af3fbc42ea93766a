import { expect } from 'chai'
import type { SwimCore } from '../src/swim-core.js'
import type { PingMessage } from '../src/messages.js'
import { ackingExcept, addr, alive, collected, coreWith, runUntil, sent, type Collected } from './helpers.js'

/** Runs until the core's first ping; returns the time, the ping and where it went. */
function firstPing (core: SwimCore, c: Collected = collected(), from = 0): { now: number, ping: PingMessage, to: string } {
  const already = sent(c, 'ping').length
  const now = runUntil(core, from, from + 60_000, c, (x) => sent(x, 'ping').length > already)
  const p = sent(c, 'ping')[already]
  if (p === undefined) throw new Error('no ping sent')
  return { now, ping: p.message, to: p.to }
}

describe('SwimCore probing', () => {
  it('a probed member that acks stays alive', () => {
    const core = coreWith(['b'])
    const c = collected()
    const { now, ping, to } = firstPing(core, c)
    expect(to).to.equal(addr('b'))
    expect(ping).to.include({ target: 'b', source: 'a' })
    core.receive(now + 5, addr('b'), { type: 'ack', seq: ping.seq, source: 'b' })
    runUntil(core, now + 5, now + 1500, c)
    expect(c.events).to.deep.equal([])
    expect(core.member('b')?.status).to.equal('alive')
    expect(core.healthScore).to.equal(0)
  })

  it('a missed direct ack leads to indirect pings through indirectChecks other members and a TCP fallback ping', () => {
    const core = coreWith(['b', 'c', 'd', 'e', 'f'])
    const c = collected()
    const { now, ping, to } = firstPing(core, c)
    runUntil(core, now, now + 500, c)
    const indirect = sent(c, 'indirect-ping')
    expect(indirect).to.have.length(3)
    expect(indirect.map(i => i.to)).to.not.include(to)
    for (const i of indirect) expect(i.message).to.include({ seq: ping.seq, target: ping.target, targetAddress: to, wantNack: true })
    expect(indirect[0]?.at).to.equal(now + 500)
    const fallback = c.requests.filter(r => r.kind === 'ping')
    expect(fallback).to.have.length(1)
    expect(fallback[0]).to.deep.include({ to, deadline: now + 1000 })
  })

  it('a member that answers neither directly nor indirectly is suspected at the end of the probe interval', () => {
    const core = coreWith(['b', 'c', 'd', 'e'])
    const c = collected()
    const { now, ping } = firstPing(core, c)
    runUntil(core, now, now + 999, c)
    expect(c.events).to.deep.equal([])
    runUntil(core, now + 999, now + 1000, c)
    expect(c.events.map(e => [e.type, e.member.id])).to.deep.equal([['member:suspect', ping.target]])
    expect(core.member(ping.target)?.status).to.equal('suspect')
  })

  it('an ack relayed through an indirect probe keeps the member alive', () => {
    const core = coreWith(['b', 'c', 'd', 'e'])
    const c = collected()
    const { now, ping } = firstPing(core, c)
    runUntil(core, now, now + 600, c)
    const relay = sent(c, 'indirect-ping')[0]
    core.receive(now + 600, relay?.to ?? '', { type: 'ack', seq: ping.seq, source: 'relay' })
    runUntil(core, now + 600, now + 1500, c)
    expect(c.events).to.deep.equal([])
    expect(core.member(ping.target)?.status).to.equal('alive')
  })

  it('an ack over the TCP fallback keeps the member alive', () => {
    const core = coreWith(['b'])
    const c = collected()
    const { now, ping } = firstPing(core, c)
    runUntil(core, now, now + 600, c)
    core.fallbackPingResult(now + 700, ping.seq, true)
    runUntil(core, now + 700, now + 1500, c)
    expect(c.events).to.deep.equal([])
  })

  it('a refused TCP fallback ping suspects the member at once, without counting against this node’s health', () => {
    const core = coreWith(['b', 'c', 'd', 'e'])
    const c = collected()
    const { now, ping } = firstPing(core, c)
    runUntil(core, now, now + 510, c)
    expect(c.events).to.deep.equal([])
    core.fallbackPingResult(now + 510, ping.seq, false, true)
    runUntil(core, now + 510, now + 511, c)
    expect(c.events.map(e => [e.type, e.member.id])).to.deep.equal([['member:suspect', ping.target]])
    expect(core.healthScore).to.equal(0)
  })

  it('a fallback ping that fails without a refusal leaves the suspicion to the end of the probe interval', () => {
    const core = coreWith(['b', 'c', 'd', 'e'])
    const c = collected()
    const { now, ping } = firstPing(core, c)
    runUntil(core, now, now + 510, c)
    core.fallbackPingResult(now + 510, ping.seq, false)
    runUntil(core, now + 510, now + 999, c)
    expect(c.events).to.deep.equal([])
    runUntil(core, now + 999, now + 1000, c)
    expect(c.events.map(e => e.type)).to.deep.equal(['member:suspect'])
  })

  it('a ping to a suspect carries the suspicion so it can refute at once (buddy system)', () => {
    const core = coreWith(['b'])
    core.receive(0, addr('c'), { type: 'suspect', node: 'b', incarnation: 1, from: 'c' })
    const c = collected()
    const { now, to } = firstPing(core, c)
    expect(to).to.equal(addr('b'))
    const packet = c.packets.find(p => p.at === now && p.messages.some(m => m.type === 'ping'))
    expect(packet?.messages.some(m => m.type === 'suspect' && m.node === 'b' && m.from === 'a')).to.equal(true)
  })

  it('a node answers a ping meant for it with an ack to the sender\'s address', () => {
    const core = coreWith([])
    core.receive(0, '10.9.9.9:1', { type: 'ping', seq: 42, target: 'a', source: 'b', sourceAddress: addr('b') })
    const out = core.drain()
    expect(out.packets[0]?.to).to.equal(addr('b'))
    expect(out.packets[0]?.messages[0]).to.deep.equal({ type: 'ack', seq: 42, source: 'a' })
  })

  it('a node ignores a ping meant for another node', () => {
    const core = coreWith([])
    core.receive(0, addr('b'), { type: 'ping', seq: 42, target: 'z', source: 'b', sourceAddress: addr('b') })
    expect(core.drain().packets).to.deep.equal([])
    expect(core.answerStreamPing({ type: 'ping', seq: 1, target: 'z', source: 'b', sourceAddress: '' })).to.equal(undefined)
    expect(core.answerStreamPing({ type: 'ping', seq: 1, target: 'a', source: 'b', sourceAddress: '' })).to.deep.equal({ type: 'ack', seq: 1, source: 'a' })
  })

  it('a relay pings the target for the requester and forwards the ack with the requester\'s seq', () => {
    const core = coreWith(['b', 'c'])
    core.tick(0)
    core.drain()
    core.receive(10, addr('b'), { type: 'indirect-ping', seq: 7, target: 'c', targetAddress: addr('c'), wantNack: true, source: 'b', sourceAddress: addr('b') })
    const out = core.drain()
    const ping = out.packets.find(p => p.to === addr('c'))?.messages.find(m => m.type === 'ping')
    expect(ping).to.include({ target: 'c', source: 'a' })
    core.receive(20, addr('c'), { type: 'ack', seq: (ping as PingMessage).seq, source: 'c' })
    const relayed = core.drain().packets.find(p => p.to === addr('b'))?.messages[0]
    expect(relayed).to.deep.equal({ type: 'ack', seq: 7, source: 'a' })
  })

  it('a relay sends a nack before the requester\'s deadline when the target stays silent', () => {
    const core = coreWith(['b', 'c'])
    core.tick(0)
    core.drain()
    core.receive(10, addr('b'), { type: 'indirect-ping', seq: 7, target: 'c', targetAddress: addr('c'), wantNack: true, source: 'b', sourceAddress: addr('b') })
    const c = collected()
    runUntil(core, 10, 1000, c)
    const nacks = sent(c, 'nack')
    expect(nacks).to.have.length(1)
    expect(nacks[0]).to.deep.include({ to: addr('b'), at: 410, message: { type: 'nack', seq: 7, source: 'a' } })
  })

  it('new members are probed within the round they join in', () => {
    const core = coreWith(['b', 'c'])
    const c = collected()
    const probed = new Set<string>()
    let now = 0
    for (let i = 0; i < 3; i++) {
      const p = firstPing(core, c, now)
      now = p.now
      probed.add(p.ping.target)
      core.receive(now + 1, p.to, { type: 'ack', seq: p.ping.seq, source: p.ping.target })
      if (i === 0) core.receive(now + 1, addr('d'), alive('d'))
      now += 1
    }
    expect([...probed].sort()).to.include('d')
  })

  it('every live member is probed once per round', () => {
    const others = ['b', 'c', 'd', 'e', 'f', 'g']
    const core = coreWith(others)
    const c = collected()
    let now = 0
    const targets: string[] = []
    for (let i = 0; i < others.length * 2; i++) {
      const p = firstPing(core, c, now)
      now = p.now
      targets.push(p.ping.target)
      core.receive(now + 1, p.to, { type: 'ack', seq: p.ping.seq, source: p.ping.target })
      now += 1
    }
    expect([...targets.slice(0, 6)].sort()).to.deep.equal(others)
    expect([...targets.slice(6)].sort()).to.deep.equal(others)
  })
})

describe('SwimCore local health (Lifeguard)', () => {
  it('a failed probe with no nacks raises the health score by the nacks missing', () => {
    const core = coreWith(['b', 'c', 'd', 'e'])
    const { now } = firstPing(core)
    runUntil(core, now, now + 1000)
    expect(core.healthScore).to.equal(3)
  })

  it('nacks from the relays show the fault is the target\'s, not ours', () => {
    const core = coreWith(['b', 'c', 'd', 'e'])
    const c = collected()
    const { now, ping } = firstPing(core, c)
    runUntil(core, now, now + 600, c)
    for (const r of sent(c, 'indirect-ping')) core.receive(now + 900, r.to, { type: 'nack', seq: ping.seq, source: r.to })
    runUntil(core, now + 900, now + 1000, c)
    expect(core.healthScore).to.equal(0)
    expect(core.member(ping.target)?.status).to.equal('suspect')
  })

  it('a failed probe with no one to relay raises the score by one', () => {
    const core = coreWith(['b'], { tcpFallbackPing: false })
    const { now } = firstPing(core)
    runUntil(core, now, now + 1000)
    expect(core.healthScore).to.equal(1)
  })

  it('a successful probe lowers the score', () => {
    const core = coreWith(['b', 'c', 'd', 'e'])
    const c = collected()
    const first = firstPing(core, c)
    runUntil(core, first.now, first.now + 1000, c)
    expect(core.healthScore).to.equal(3)
    // the next probe started as the failed one ended
    const second = sent(c, 'ping')[1]
    expect(second?.at).to.equal(first.now + 1000)
    core.receive(first.now + 1001, second?.to ?? '', { type: 'ack', seq: second?.message.seq ?? -1, source: second?.message.target ?? '' })
    expect(core.healthScore).to.equal(2)
  })

  it('an unhealthy node stretches its probe interval and probe timeout by score + 1', () => {
    const core = coreWith(['b', 'c', 'd', 'e'])
    const c = collected()
    const first = firstPing(core, c)
    runUntil(core, first.now, first.now + 1000, c)
    expect(core.healthScore).to.equal(3)
    const start = first.now + 1000
    expect(sent(c, 'ping')[1]?.at).to.equal(start)
    const before = sent(c, 'indirect-ping').length
    runUntil(core, start, start + 1999, c)
    expect(sent(c, 'indirect-ping')).to.have.length(before)
    runUntil(core, start + 1999, start + 2000, c)
    // relays are alive members other than the target: the first target is suspect now
    expect(sent(c, 'indirect-ping')).to.have.length(before + 2)
    // score 3 when the probe started: the probe interval is 4 × 1000 ms
    runUntil(core, start + 2000, start + 3999, c)
    expect(sent(c, 'ping').filter(p => p.at > start)).to.have.length(0)
    runUntil(core, start + 3999, start + 4000, c)
    expect(sent(c, 'ping').map(p => p.at)).to.include(start + 4000)
  })

  it('with awarenessMaxMultiplier 1 the score never rises and the probe interval never stretches', () => {
    const core = coreWith(['b', 'c', 'd', 'e'], { awarenessMaxMultiplier: 1 })
    const c = collected()
    const first = firstPing(core, c)
    runUntil(core, first.now, first.now + 1000, c)
    expect(core.healthScore).to.equal(0)
    runUntil(core, first.now + 1000, first.now + 2000, c)
    expect(sent(c, 'ping').filter(p => p.message.source === 'a').map(p => p.at)).to.deep.equal([first.now, first.now + 1000, first.now + 2000])
  })

  it('a member that joins mid-round is probed before the round ends, and no member is probed twice in that round', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const others = ['b', 'c', 'd', 'e', 'f', 'g']
      const core = coreWith(others, {}, seed)
      const c = collected()
      const acking = ackingExcept()
      // three probes into the first round of six
      runUntil(core, 0, 60_000, c, (x) => sent(x, 'ping').length >= 3, acking)
      const at = c.packets[c.packets.length - 1]?.at ?? 0
      core.receive(at, addr('n'), alive('n'))
      runUntil(core, at, at + 60_000, c, (x) => sent(x, 'ping').length >= 7, acking)
      const targets = sent(c, 'ping').slice(0, 7).map(p => p.message.target)
      expect([...targets].sort(), `seed ${seed}`).to.deep.equal([...others, 'n'].sort())
    }
  })
})
