import { expect } from 'chai'
import fc from 'fast-check'
import { decodePacket, encodePacket } from '../src/codec.js'
import { ackingExcept, addr, alive, collected, makeCore, runUntil } from './helpers.js'

describe('SwimCore packets', () => {
  it('every datagram fits the packet size minus the driver\'s overhead', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 0, max: 900 }),
      fc.integer({ min: 300, max: 1400 }),
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 1, max: 1000 }),
      (members, tagBytes, packetSize, overhead, seed) => {
        const core = makeCore('a', { udpPacketSize: packetSize, packetOverheadBytes: overhead, pushPullIntervalMs: 0 }, seed)
        for (let i = 0; i < members; i++) core.receive(0, addr(`m${i}`), alive(`m${i}`, 1, { blob: 'x'.repeat(tagBytes) }))
        const c = collected()
        runUntil(core, 0, 3000, c, undefined, ackingExcept('m0'))
        expect(c.packets.length).to.be.greaterThan(0)
        for (const p of c.packets) {
          const bytes = encodePacket(p.messages)
          expect(bytes.length).to.be.at.most(packetSize - overhead)
          expect(decodePacket(bytes)).to.deep.equal(p.messages)
        }
      }), { numRuns: 25 })
  })

  it('broadcasts ride on probe packets', () => {
    // no gossip rounds: the probe is the only way out for the broadcasts
    const core = makeCore('a', { pushPullIntervalMs: 0, gossipNodes: 0 })
    core.receive(0, addr('b'), alive('b'))
    const c = collected()
    runUntil(core, 0, 5000, c, (x) => x.packets.some(p => p.messages[0]?.type === 'ping'))
    const probe = c.packets.find(p => p.messages[0]?.type === 'ping')
    expect(probe?.messages.map(m => m.type)).to.include('alive')
  })

  it('each gossip round goes to at most gossipNodes members', () => {
    const core = makeCore('a', { pushPullIntervalMs: 0, gossipNodes: 2, probeIntervalMs: 60_000, probeTimeoutMs: 500 })
    for (let i = 0; i < 10; i++) core.receive(0, addr(`m${i}`), alive(`m${i}`))
    const c = collected()
    runUntil(core, 0, 3000, c)
    const byTime = new Map<number, Set<string>>()
    for (const p of c.packets.filter(p => p.messages.every(m => m.type !== 'ping'))) {
      const set = byTime.get(p.at) ?? new Set()
      set.add(p.to)
      byTime.set(p.at, set)
    }
    expect(byTime.size).to.be.greaterThan(0)
    for (const targets of byTime.values()) expect(targets.size).to.be.at.most(2)
  })

  it('gossip rounds keep a fractional interval exactly', () => {
    const core = makeCore('a', { pushPullIntervalMs: 0, gossipIntervalMs: 150.5, probeIntervalMs: 60_000, probeTimeoutMs: 500 })
    core.receive(0, addr('b'), alive('b'))
    const c = collected()
    runUntil(core, 0, 1000, c)
    const times = [...new Set(c.packets.filter(p => p.messages.every(m => m.type !== 'ping')).map(p => p.at))]
    expect(times.length).to.be.greaterThan(2)
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).to.equal(150.5)
  })

  it('gossip stops once every broadcast went out its retransmit limit', () => {
    const core = makeCore('a', { pushPullIntervalMs: 0, probeIntervalMs: 60_000, probeTimeoutMs: 500 })
    core.receive(0, addr('b'), alive('b'))
    const c = collected()
    runUntil(core, 0, 10_000, c)
    expect(core.pendingBroadcasts).to.equal(0)
    const last = c.packets.filter(p => p.messages.every(m => m.type !== 'ping')).at(-1)
    expect(last?.at).to.be.below(5000)
  })

  it('a broadcast too large for any datagram goes out as a stream request', () => {
    const core = makeCore('a', { pushPullIntervalMs: 0 })
    core.receive(0, addr('b'), alive('b'))
    core.setTags(0, { big: 'y'.repeat(3000) })
    const c = collected()
    runUntil(core, 0, 1000, c, undefined, ackingExcept())
    const streamed = c.requests.filter(r => r.kind === 'messages')
    expect(streamed.length).to.be.greaterThan(0)
    const first = streamed[0]
    expect(first?.kind === 'messages' && first.messages.some(m => m.type === 'alive' && m.node === 'a' && m.tags.get('big')?.length === 3000)).to.equal(true)
    for (const p of c.packets) expect(encodePacket(p.messages).length).to.be.at.most(1400)
  })
})
