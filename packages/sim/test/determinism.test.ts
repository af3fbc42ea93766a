import { expect } from 'chai'
import { busyScenario } from './fixtures/busy-scenario.js'

describe('determinism', () => {
  it('gives a byte-identical trace for the same seed in a busy scenario', () => {
    const first = busyScenario(1234)
    const second = busyScenario(1234)
    expect(first.sim.trace.length).to.be.above(2_000)
    expect(second.sim.trace.hash()).to.equal(first.sim.trace.hash())
    expect(second.sim.trace.text()).to.equal(first.sim.trace.text())
  })

  it('exercises every fault in the busy scenario', () => {
    const { sim, udp, pongs, streamMessages } = busyScenario(1234)
    const text = sim.trace.text()
    const { dropped, duplicated, reordered } = udp.stats
    expect(dropped.loss).to.be.above(0)
    expect(dropped.partition).to.be.above(0)
    expect(dropped.closed).to.be.above(0)
    expect(duplicated).to.be.above(0)
    expect(reordered).to.be.above(0)
    expect(pongs).to.be.above(0)
    expect(streamMessages).to.be.above(0)
    expect(text).to.match(/tcp reset c\d+/)
    expect(text).to.match(/n2 disk crash prefix/)
  })

  it('gives different traces for different seeds', () => {
    expect(busyScenario(1).sim.trace.hash()).to.not.equal(busyScenario(2).sim.trace.hash())
  })

  it('behaves the same with tracing off', () => {
    const traced = busyScenario(77)
    const silent = busyScenario(77, { trace: { enabled: false } })
    expect(silent.sim.trace.length).to.equal(0)
    expect(silent.udp.stats).to.deep.equal(traced.udp.stats)
    expect([silent.pongs, silent.streamMessages, silent.sim.eventsRun]).to.deep.equal([traced.pongs, traced.streamMessages, traced.sim.eventsRun])
  })
})
