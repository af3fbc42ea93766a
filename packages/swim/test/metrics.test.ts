import { expect } from 'chai'
import { MemoryMetrics, SeededRandom } from '@clusterfunk/core'
import { lanConfig } from '../src/config.js'
import { SwimCore } from '../src/swim-core.js'
import type { SimpleMessage } from '../src/messages.js'
import { addr, alive, collected, runUntil, sent } from './helpers.js'

describe('SwimCore metrics', () => {
  it('counts messages received by type and messages dropped by reason', () => {
    const metrics = new MemoryMetrics()
    const core = new SwimCore({ id: 'a', address: addr('a'), config: { ...lanConfig, maxTagsBytes: 8 }, random: new SeededRandom(1), metrics })
    core.receive(0, addr('b'), { type: 'compound', messages: [alive('b'), alive('c', 1, { big: 'far too long' })] })
    core.receive(0, addr('b'), alive('b', 2, {}, '10.1.1.1:1'))
    core.receive(0, addr('b'), { type: 'compound', messages: [{ type: 'compound', messages: [] } as unknown as SimpleMessage] })
    expect(metrics.get('clusterfunk_swim_messages_received_total', { type: 'alive' })).to.equal(3)
    expect(metrics.get('clusterfunk_swim_messages_received_total', { type: 'compound' })).to.equal(2)
    expect(metrics.get('clusterfunk_swim_messages_dropped_total', { reason: 'tags-too-large' })).to.equal(1)
    expect(metrics.get('clusterfunk_swim_messages_dropped_total', { reason: 'address-conflict' })).to.equal(1)
    expect(metrics.get('clusterfunk_swim_messages_dropped_total', { reason: 'nested-compound' })).to.equal(1)
  })

  it('counts probes by result and reports the health score', () => {
    const metrics = new MemoryMetrics()
    const core = new SwimCore({ id: 'a', address: addr('a'), config: lanConfig, random: new SeededRandom(1), metrics })
    for (const id of ['b', 'c', 'd']) core.receive(0, addr(id), alive(id))
    const c = collected()
    const now = runUntil(core, 0, 5000, c, (x) => sent(x, 'ping').length > 0)
    const ping = sent(c, 'ping')[0]
    core.receive(now + 1, ping?.to ?? '', { type: 'ack', seq: ping?.message.seq ?? -1, source: 'x' })
    expect(metrics.get('clusterfunk_swim_probes_total', { result: 'ack' })).to.equal(1)
    const c2 = collected()
    runUntil(core, now + 1, now + 1000, c2)
    runUntil(core, now + 1000, now + 2000, c2)
    expect(metrics.get('clusterfunk_swim_probes_total', { result: 'failed' })).to.equal(1)
    expect(metrics.get('clusterfunk_swim_health_score')).to.equal(core.healthScore)
    expect(core.healthScore).to.be.greaterThan(0)
  })
})
