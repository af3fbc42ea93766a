import { expect } from 'chai'
import { ManualClock, SystemClock } from '../src/index.js'
import { access } from 'node:fs'
import { fileURLToPath } from 'node:url'

describe('ManualClock', () => {
  it('runs timers in due order, then in scheduling order, reading each due time', () => {
    const clock = new ManualClock()
    const seen: Array<[string, number]> = []
    clock.setTimeout(() => seen.push(['b', clock.now()]), 20)
    clock.setTimeout(() => seen.push(['a', clock.now()]), 10)
    clock.setTimeout(() => seen.push(['c', clock.now()]), 20)
    clock.advance(25)
    expect(seen).to.deep.equal([['a', 10], ['b', 20], ['c', 20]])
    expect(clock.now()).to.equal(25)
  })

  it('runs timers that callbacks schedule within the same advance', () => {
    const clock = new ManualClock()
    const seen: number[] = []
    clock.setTimeout(() => { clock.setTimeout(() => seen.push(clock.now()), 5) }, 5)
    clock.advance(10)
    expect(seen).to.deep.equal([10])
  })

  it('does not run a cleared timer', () => {
    const clock = new ManualClock()
    let ran = false
    const t = clock.setTimeout(() => { ran = true }, 5)
    clock.clearTimeout(t)
    clock.advance(10)
    expect(ran).to.equal(false)
    expect(clock.pending).to.equal(0)
  })

  it('refuses to go backwards', () => {
    expect(() => { new ManualClock().advance(-1) }).to.throw(RangeError)
  })
})

describe('SystemClock', () => {
  it('is monotonic and fires a timer', async () => {
    const clock = new SystemClock()
    const t0 = clock.now()
    await new Promise<void>(resolve => { clock.setTimeout(resolve, 2) })
    expect(clock.now()).to.be.greaterThan(t0)
    expect(clock.wallNow()).to.be.greaterThan(1_600_000_000_000)
  })

  it('runs a deferred callback after the I/O already waiting and before a 0 ms timer', async () => {
    const clock = new SystemClock()
    const order: string[] = []
    // Scheduled from an I/O callback (the poll phase), as a driver does on a
    // packet: the check phase comes next and runs the deferred callback before
    // the loop comes back round to its timers, however late this turn is.
    await new Promise<void>((resolve, reject) => {
      access(fileURLToPath(import.meta.url), (err) => {
        if (err !== null) { reject(err); return }
        clock.setTimeout(() => { order.push('timer'); resolve() }, 0)
        clock.defer(() => { order.push('deferred') })
      })
    })
    expect(order[0]).to.equal('deferred')
  })

  it('cancels a deferred callback with clearTimeout', async () => {
    const clock = new SystemClock()
    let ran = false
    clock.clearTimeout(clock.defer(() => { ran = true }))
    await new Promise<void>(resolve => { clock.setTimeout(resolve, 5) })
    expect(ran).to.equal(false)
  })
})

describe('ManualClock.stall', () => {
  it('runs the timers that fell due during a stall late, each reading the time it ended', () => {
    const clock = new ManualClock()
    const seen: number[] = []
    clock.setTimeout(() => { seen.push(clock.now()) }, 10)
    clock.setTimeout(() => { seen.push(clock.now()) }, 40)
    clock.setTimeout(() => { seen.push(clock.now()) }, 500)
    clock.stall(100)
    expect(seen).to.deep.equal([100, 100])
    expect(clock.pending).to.equal(1)
  })
})

describe('ManualClock.defer', () => {
  it('is a 0 ms timer: it runs on the next advance, after timers already due', () => {
    const clock = new ManualClock()
    const order: string[] = []
    clock.setTimeout(() => { order.push('due') }, 0)
    clock.defer(() => { order.push('deferred') })
    expect(order).to.deep.equal([])
    clock.advance(0)
    expect(order).to.deep.equal(['due', 'deferred'])
  })
})
