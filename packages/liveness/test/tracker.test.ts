import { expect } from 'chai'
import { ManualClock, createRandom, type TimerHandle } from '@clusterfunk/core'
import { LivenessTracker, type NodeAliveEvent, type NodeDeadEvent, type TrackedNode, type TrackerOptions } from '../src/index.js'

const A = { host: '127.0.0.1', port: 7001 }
const B = { host: '127.0.0.1', port: 7002 }

/** A tracker on a ManualClock, driven like the real checker drives it: one timer at the next due time. */
function harness (options: Partial<TrackerOptions> = {}) {
  const clock = new ManualClock()
  const probes: Array<{ id: string, at: number, nonceLo: number, nonceHi: number }> = []
  const dead: NodeDeadEvent[] = []
  const alive: NodeAliveEvent[] = []
  let timeouts = 0
  const tracker = new LivenessTracker<null>({ intervalMs: 100, retries: 3, timeoutMultiplier: 5, minTimeoutMs: 10, ...options }, createRandom(42), {
    probe: (n: TrackedNode<null>) => { probes.push({ id: n.id, at: clock.now(), nonceLo: n.nonceLo, nonceHi: n.nonceHi }) },
    timeout: () => { timeouts++ },
    dead: e => { dead.push(e) },
    alive: e => { alive.push(e) }
  })
  let timer: TimerHandle | undefined
  const arm = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer)
    const next = tracker.tick(clock.now())
    timer = next === Infinity ? undefined : clock.setTimeout(arm, next - clock.now())
  }
  const add = (id: string, address = A, probeNow = false): void => { tracker.add(id, address, null, clock.now(), probeNow); arm() }
  /** Answers the last probe sent to `id` after `rttMs`. */
  const answer = (id: string, rttMs: number, from = A) => {
    const p = probes.filter(q => q.id === id).at(-1)
    if (p === undefined) throw new Error(`no probe for ${id}`)
    clock.advance(Math.max(0, p.at + rttMs - clock.now()))
    const result = tracker.reply(id, p.nonceLo, p.nonceHi, from.host, from.port, clock.now())
    arm() // as the drivers do after a reply: the next probe may be due before the answered one's deadline
    return result
  }
  /** Advances until `id` has been probed `count` more times. */
  const untilProbed = (id: string, count = 1): void => {
    const target = probes.filter(q => q.id === id).length + count
    for (let i = 0; i < 10_000 && probes.filter(q => q.id === id).length < target; i++) clock.advance(1)
  }
  return { clock, tracker, probes, dead, alive, add, answer, untilProbed, timeouts: () => timeouts }
}

describe('LivenessTracker', () => {
  it('a new node is unknown and is probed within one interval', () => {
    const h = harness()
    h.add('a')
    expect(h.tracker.status('a')?.state).to.equal('unknown')
    h.clock.advance(100)
    expect(h.probes.filter(p => p.id === 'a')).to.have.length(1)
  })

  it('a node added with probeNow is probed at once, and after its answer within one interval, not sooner than half of one', () => {
    const h = harness()
    h.add('a', A, true)
    expect(h.probes.map(p => [p.id, p.at])).to.deep.equal([['a', 0]])
    expect(h.tracker.tick(h.clock.now())).to.equal(100) // the probe is out: its deadline (a whole interval, no RTT yet) is next
    expect(h.answer('a', 2)).to.not.be.a('string')
    h.untilProbed('a')
    const [first, second] = h.probes.filter(p => p.id === 'a')
    expect((second?.at ?? Infinity) - (first?.at ?? 0)).to.be.within(50, 100)
  })

  it('a checker that was itself stalled waits the stall out before a probe counts as a miss, at most 7 intervals more', () => {
    // Driven by hand: one probe out at 0 with a 100 ms timeout (no RTT known yet).
    const make = () => {
      const dead: NodeDeadEvent[] = []
      const tracker = new LivenessTracker<null>({ intervalMs: 100, retries: 1, timeoutMultiplier: 5, minTimeoutMs: 10 }, createRandom(7), {
        probe: () => {}, timeout: () => {}, dead: e => { dead.push(e) }, alive: () => {}
      })
      tracker.add('a', A, null, 0, true)
      tracker.tick(0)
      return { tracker, dead }
    }
    const punctual = make()
    expect(punctual.tracker.tick(100, 0)).to.equal(200) // missed at its deadline; the next probe goes out at once, due in its timeout
    expect(punctual.dead.map(e => e.nodeId)).to.deep.equal(['a'])

    const stalled = make()
    expect(stalled.tracker.tick(100, 250)).to.equal(350) // this process was stalled 250 ms: the probe is waited for until 350
    expect(stalled.dead).to.deep.equal([])
    expect(stalled.tracker.tick(349, 250)).to.equal(350)
    expect(stalled.tracker.tick(350, 250)).to.be.greaterThan(350)
    expect(stalled.dead.map(e => e.nodeId)).to.deep.equal(['a'])

    const starved = make()
    expect(starved.tracker.tick(100, 60_000)).to.equal(800) // never more than 7 intervals more: a starved checker slows its verdicts, it never stops them
    starved.tracker.tick(800, 60_000)
    expect(starved.dead.map(e => e.nodeId)).to.deep.equal(['a'])
  })

  it('a node that never answers is dead after exactly `retries` misses, reported once', () => {
    const h = harness({ retries: 3 })
    h.add('a')
    h.untilProbed('a', 3)
    h.clock.advance(99) // the third probe times out one interval (no RTT known yet) after it left
    expect(h.dead).to.have.length(0)
    h.clock.advance(1)
    expect(h.dead).to.have.length(1)
    expect(h.dead[0]).to.include({ nodeId: 'a', misses: 3, previous: 'unknown' })
    expect(h.timeouts()).to.equal(3)
    h.clock.advance(1000)
    expect(h.dead).to.have.length(1)
  })

  it('two misses are not yet a verdict', () => {
    const h = harness({ retries: 3 })
    h.add('a')
    h.untilProbed('a', 3) // the third probe is out: two misses counted
    expect(h.tracker.status('a')).to.include({ state: 'unknown', misses: 2 })
    expect(h.dead).to.have.length(0)
  })

  it('a dead node keeps being probed and one reply makes it alive again, reported once', () => {
    const h = harness()
    h.add('a')
    h.clock.advance(1000)
    expect(h.tracker.status('a')?.state).to.equal('dead')
    const probesBefore = h.probes.length
    h.untilProbed('a')
    expect(h.probes.length).to.be.greaterThan(probesBefore)
    expect(h.answer('a', 2)).to.not.be.a('string')
    expect(h.alive).to.have.length(1)
    expect(h.alive[0]).to.include({ nodeId: 'a', previous: 'dead', rttMs: 2 })
    expect(h.alive[0]?.deadForMs).to.be.greaterThan(0)
    h.untilProbed('a')
    h.answer('a', 2)
    expect(h.alive).to.have.length(1)
    expect(h.tracker.deadCount).to.equal(0)
  })

  it('the first reply makes an unknown node alive', () => {
    const h = harness()
    h.add('a')
    h.untilProbed('a')
    h.answer('a', 1)
    expect(h.alive).to.have.length(1)
    expect(h.alive[0]).to.include({ nodeId: 'a', previous: 'unknown' })
    expect(h.tracker.status('a')?.state).to.equal('alive')
  })

  it('a reply between misses starts the count again', () => {
    const h = harness({ retries: 3 })
    h.add('a')
    h.untilProbed('a', 3) // two misses
    h.answer('a', 1)
    h.untilProbed('a', 3) // two more misses
    expect(h.tracker.status('a')).to.include({ state: 'alive', misses: 2 })
    expect(h.dead).to.have.length(0)
  })

  it('before any reply the timeout is the interval', () => {
    const h = harness({ intervalMs: 200 })
    h.add('a')
    expect(h.tracker.status('a')?.timeoutMs).to.equal(200)
  })

  it('the timeout follows multiplier × average RTT', () => {
    const h = harness({ timeoutMultiplier: 5, minTimeoutMs: 1 })
    h.add('a')
    h.untilProbed('a')
    h.answer('a', 4)
    expect(h.tracker.status('a')?.timeoutMs).to.equal(20)
    h.untilProbed('a')
    h.answer('a', 12) // average 4 + (12 - 4) / 8 = 5
    expect(h.tracker.status('a')?.rttAvgMs).to.equal(5)
    expect(h.tracker.status('a')?.timeoutMs).to.equal(25)
  })

  it('the timeout is clamped to minTimeoutMs below and the interval above', () => {
    const low = harness({ minTimeoutMs: 10 })
    low.add('a')
    low.untilProbed('a')
    low.answer('a', 0.1)
    expect(low.tracker.status('a')?.timeoutMs).to.equal(10)
    const high = harness({ intervalMs: 100 })
    high.add('a')
    high.untilProbed('a')
    high.answer('a', 60)
    expect(high.tracker.status('a')?.timeoutMs).to.equal(100)
  })

  it('a reply after its probe timed out does not count', () => {
    const h = harness({ minTimeoutMs: 10 })
    h.add('a')
    h.untilProbed('a')
    expect(h.answer('a', 150)).to.equal('unmatched')
    expect(h.alive).to.have.length(0)
  })

  it('replies with a wrong nonce, from another address or for an unknown id are rejected', () => {
    const h = harness()
    h.add('a')
    h.untilProbed('a')
    const p = h.probes.at(-1) as { nonceLo: number, nonceHi: number }
    expect(h.tracker.reply('a', p.nonceLo ^ 1, p.nonceHi, A.host, A.port, h.clock.now())).to.equal('unmatched')
    expect(h.tracker.reply('a', p.nonceLo, p.nonceHi, B.host, B.port, h.clock.now())).to.equal('source')
    expect(h.tracker.reply('zz', p.nonceLo, p.nonceHi, A.host, A.port, h.clock.now())).to.equal('wrong-node')
    expect(h.tracker.status('a')?.state).to.equal('unknown')
  })

  it('probes of many nodes are spread over the interval', () => {
    const h = harness()
    for (let i = 0; i < 100; i++) h.add(`n${i}`)
    h.clock.advance(100)
    const perTenMs = new Array<number>(10).fill(0)
    for (const p of h.probes) perTenMs[Math.min(9, Math.floor(p.at / 10))]!++
    expect(h.probes).to.have.length(100)
    expect(Math.max(...perTenMs)).to.be.below(30)
  })

  it('a removed node gets no more probes and no verdicts', () => {
    const h = harness()
    h.add('a')
    h.add('b', B)
    h.untilProbed('a')
    expect(h.tracker.remove('a')).to.equal(true)
    const count = h.probes.filter(p => p.id === 'a').length
    h.clock.advance(1000)
    expect(h.probes.filter(p => p.id === 'a')).to.have.length(count)
    expect(h.dead.map(e => e.nodeId)).to.deep.equal(['b'])
    expect(h.tracker.status('a')).to.equal(undefined)
  })

  it('clear forgets every node and the dead count', () => {
    const h = harness()
    h.add('a')
    h.add('b', B)
    h.clock.advance(1000)
    expect(h.tracker.deadCount).to.equal(2)
    h.tracker.clear()
    expect(h.tracker.nodes()).to.deep.equal([])
    expect(h.tracker.deadCount).to.equal(0)
    expect(h.tracker.tick(h.clock.now())).to.equal(Infinity)
  })

  it('adding a node again keeps it at the same address and starts it over at a new one', () => {
    const h = harness()
    h.add('a')
    h.clock.advance(1000)
    expect(h.tracker.add('a', A, null, h.clock.now())).to.equal(false)
    expect(h.tracker.status('a')?.state).to.equal('dead')
    expect(h.tracker.add('a', B, null, h.clock.now())).to.equal(true)
    expect(h.tracker.status('a')).to.include({ state: 'unknown', misses: 0 })
    expect(h.tracker.deadCount).to.equal(0)
  })
})
