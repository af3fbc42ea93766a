import { expect } from 'chai'
import { LocalHealthMonitor, ManualClock, SystemClock, punctualHealth, widenedTimeout } from '../src/index.js'

describe('LocalHealthMonitor', () => {
  it('reports no delay while its timers fire on time', () => {
    const clock = new ManualClock()
    const health = new LocalHealthMonitor(clock)
    health.start()
    for (let i = 0; i < 100; i++) clock.advance(20)
    expect(health.recentDelayMs()).to.equal(0)
    health.stop()
  })

  it('reports a stall as long as its probe was late, and forgets it after the window', () => {
    const clock = new ManualClock()
    const health = new LocalHealthMonitor(clock, { probeIntervalMs: 20, windowMs: 1_000 })
    health.start()
    clock.advance(100)
    // The process is stopped for 500 ms: the probe due in 20 ms fires 500 ms late.
    clock.stall(500)
    expect(health.recentDelayMs()).to.be.within(480, 500)
    clock.advance(900)
    expect(health.recentDelayMs()).to.be.within(480, 500)
    clock.advance(200)
    expect(health.recentDelayMs()).to.equal(0)
    health.stop()
  })

  it('keeps the largest of several stalls in the window', () => {
    const clock = new ManualClock()
    const health = new LocalHealthMonitor(clock, { probeIntervalMs: 20, windowMs: 5_000 })
    health.start()
    clock.stall(300)
    clock.advance(100)
    clock.stall(120)
    expect(health.recentDelayMs()).to.be.within(280, 300)
    health.stop()
  })

  it('treats lateness below the floor as noise', () => {
    const clock = new ManualClock()
    const health = new LocalHealthMonitor(clock, { probeIntervalMs: 20, floorMs: 15 })
    health.start()
    clock.stall(30) // the probe due at 20 fires at 30: 10 ms late
    expect(health.recentDelayMs()).to.equal(0)
    health.stop()
  })

  it('refuses a window or interval that is not a positive number', () => {
    expect(() => new LocalHealthMonitor(new ManualClock(), { windowMs: 0 })).to.throw(RangeError, 'windowMs')
    expect(() => new LocalHealthMonitor(new ManualClock(), { probeIntervalMs: Number.NaN })).to.throw(RangeError, 'probeIntervalMs')
  })

  it('sees a blocked event loop on real time', async () => {
    const clock = new SystemClock()
    const health = new LocalHealthMonitor(clock, { probeIntervalMs: 10 })
    health.start()
    await new Promise<void>(resolve => { clock.setTimeout(resolve, 30) })
    const until = performance.now() + 200
    while (performance.now() < until) { /* a 200 ms synchronous task */ }
    await new Promise<void>(resolve => { clock.setTimeout(resolve, 30) })
    expect(health.recentDelayMs()).to.be.at.least(150)
    health.stop()
  })
})

describe('widenedTimeout', () => {
  it('adds the recent stall to the base, up to a multiple of it', () => {
    expect(widenedTimeout(500, 0)).to.equal(500)
    expect(widenedTimeout(500, 300)).to.equal(800)
    expect(widenedTimeout(500, 60_000)).to.equal(4_000)
    expect(widenedTimeout(500, 60_000, 3)).to.equal(1_500)
  })

  it('is the base for a punctual process', () => {
    expect(widenedTimeout(200, punctualHealth.recentDelayMs())).to.equal(200)
  })
})
