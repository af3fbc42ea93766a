import { expect } from 'chai'
import { Simulation, SimulationLimitError } from '../src/index.js'

describe('Simulation', () => {
  it('runs events in order of due time, then of scheduling', () => {
    const sim = new Simulation()
    const seen: string[] = []
    sim.setTimeout(() => seen.push('b'), 20)
    sim.setTimeout(() => seen.push('a'), 10)
    sim.setTimeout(() => seen.push('c'), 20)
    sim.setTimeout(() => seen.push('z'), 0)
    sim.runFor(30)
    expect(seen).to.deep.equal(['z', 'a', 'b', 'c'])
  })

  it('reads the due time of the running event from now() and moves wallNow() with it', () => {
    const sim = new Simulation({ startMs: 100, wallOriginMs: 5_000 })
    const seen: Array<[number, number]> = []
    sim.setTimeout(() => seen.push([sim.now(), sim.wallNow()]), 7.5)
    sim.runFor(10)
    expect(seen).to.deep.equal([[107.5, 5_107.5]])
    expect(sim.now()).to.equal(110)
  })

  it('runs events that callbacks schedule within the same run, at their own due time', () => {
    const sim = new Simulation()
    const seen: number[] = []
    sim.setTimeout(() => { sim.setTimeout(() => seen.push(sim.now()), 5) }, 5)
    expect(sim.runFor(10)).to.equal(2)
    expect(seen).to.deep.equal([10])
  })

  it('does not run a cleared timer and does not count it as pending', () => {
    const sim = new Simulation()
    let ran = false
    const handle = sim.setTimeout(() => { ran = true }, 5)
    sim.setTimeout(() => {}, 6)
    sim.clearTimeout(handle)
    sim.clearTimeout(handle)
    expect(sim.pending).to.equal(1)
    sim.runFor(10)
    expect(ran).to.equal(false)
    expect(sim.pending).to.equal(0)
  })

  it('ignores clearing a timer that already ran or belongs to another simulation', () => {
    const sim = new Simulation()
    const other = new Simulation()
    const ran = sim.setTimeout(() => {}, 1)
    sim.runFor(2)
    const foreign = other.setTimeout(() => {}, 1)
    sim.setTimeout(() => {}, 1)
    sim.clearTimeout(ran)
    sim.clearTimeout(foreign)
    expect(sim.pending).to.equal(1)
    expect(other.pending).to.equal(1)
  })

  it('step() runs exactly one event and reports when none is left', () => {
    const sim = new Simulation()
    const seen: number[] = []
    sim.setTimeout(() => seen.push(1), 3)
    sim.setTimeout(() => seen.push(2), 4)
    expect(sim.step()).to.equal(true)
    expect(seen).to.deep.equal([1])
    expect(sim.now()).to.equal(3)
    expect(sim.nextEventAt()).to.equal(4)
    expect(sim.step()).to.equal(true)
    expect(sim.step()).to.equal(false)
  })

  it('runUntil stops as soon as the predicate holds', () => {
    const sim = new Simulation()
    let count = 0
    const tick = (): void => { count++; sim.setTimeout(tick, 10) }
    sim.setTimeout(tick, 10)
    expect(sim.runUntil(() => count === 3, { maxMs: 1_000 })).to.equal(true)
    expect(sim.now()).to.equal(30)
  })

  it('runUntil gives up at maxMs of virtual time and leaves the clock at the deadline', () => {
    const sim = new Simulation()
    const tick = (): void => { sim.setTimeout(tick, 10) }
    sim.setTimeout(tick, 10)
    expect(sim.runUntil(() => false, { maxMs: 95 })).to.equal(false)
    expect(sim.now()).to.equal(95)
  })

  it('runAll drains the queue and throws when events keep coming past maxMs', () => {
    const sim = new Simulation()
    sim.setTimeout(() => {}, 5)
    sim.setTimeout(() => {}, 50)
    expect(sim.runAll({ maxMs: 100 })).to.equal(2)
    const tick = (): void => { sim.setTimeout(tick, 10) }
    tick()
    expect(() => sim.runAll({ maxMs: 100 })).to.throw(SimulationLimitError)
  })

  it('stops a callback that reschedules itself with no delay', () => {
    const sim = new Simulation({ maxEventsPerRun: 1_000 })
    const spin = (): void => { sim.setTimeout(spin, 0) }
    spin()
    expect(() => sim.runFor(1)).to.throw(SimulationLimitError)
  })

  it('rejects negative run durations', () => {
    expect(() => new Simulation().runFor(-1)).to.throw(RangeError)
  })

  it('runs promise continuations at the virtual instant their promise settled', async () => {
    const sim = new Simulation()
    const sleep = async (ms: number): Promise<void> => { await new Promise<void>(resolve => { sim.setTimeout(resolve, ms) }) }
    const seen: number[] = []
    const driver = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        await sleep(10)
        seen.push(sim.now())
      }
    }
    const done = driver()
    await sim.runForAsync(100)
    await done
    expect(seen).to.deep.equal([10, 20, 30])
  })

  it('resolve() runs the simulation until a promise settles', async () => {
    const sim = new Simulation()
    const value = new Promise<string>(resolve => { sim.setTimeout(() => { resolve('done') }, 250) })
    expect(await sim.resolve(value, { maxMs: 1_000 })).to.equal('done')
    expect(sim.now()).to.equal(250)
  })

  it('resolve() throws when the promise is still pending after maxMs', async () => {
    const sim = new Simulation()
    const never = new Promise<void>(() => {})
    let caught: unknown
    try { await sim.resolve(never, { maxMs: 10 }) } catch (err) { caught = err }
    expect(caught).to.be.instanceOf(SimulationLimitError)
  })

  it('gives labelled forks streams that depend only on seed and label', () => {
    const a = new Simulation({ seed: 7 })
    const b = new Simulation({ seed: 7 })
    b.fork('other')
    const drawsA = [a.fork('udp').uint32(), a.fork('udp').uint32()]
    const drawsB = [b.fork('udp').uint32(), b.fork('udp').uint32()]
    expect(drawsA).to.deep.equal(drawsB)
    expect(drawsA[0]).to.not.equal(drawsA[1])
    expect(new Simulation({ seed: 8 }).fork('udp').uint32()).to.not.equal(drawsA[0])
  })

  it('cancels every timer of a node clock at once, leaving other nodes alone', () => {
    const sim = new Simulation()
    const n1 = sim.clockFor('n1')
    const n2 = sim.clockFor('n2')
    const seen: string[] = []
    n1.setTimeout(() => seen.push('n1a'), 5)
    n1.setTimeout(() => seen.push('n1b'), 6)
    n2.setTimeout(() => seen.push('n2'), 7)
    expect(n1.pending).to.equal(2)
    n1.cancelAll()
    sim.runFor(10)
    expect(seen).to.deep.equal(['n2'])
    expect(sim.trace.lines()).to.deep.equal(['7.000 n2 timer #2'])
  })
})
