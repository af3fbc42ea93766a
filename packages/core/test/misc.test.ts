import { expect } from 'chai'
import {
  AbortError, DecodeError, InvalidConfigError, MemoryMetrics, NotLeaderError, TimeoutError,
  createLogger, delay, isErrorNamed, raceSignal, silentLogger, waitFor
} from '../src/index.js'
import { median, meetsGoal, quantile } from '../src/bench.js'

describe('errors', () => {
  it('carry stable names and codes, and the leader hint', () => {
    const err = new NotLeaderError('n2', '127.0.0.1:7000')
    expect(err.name).to.equal('NotLeaderError')
    expect(err.code).to.equal('ERR_NOT_LEADER')
    expect(err.leaderId).to.equal('n2')
    expect(err.message).to.contain('n2')
    expect(isErrorNamed(err, 'NotLeaderError')).to.equal(true)
    expect(new DecodeError('bad').name).to.equal('DecodeError')
    expect(new InvalidConfigError('intervalMs', 'must be > 0').message).to.equal('invalid option intervalMs: must be > 0')
  })
})

describe('abort helpers', () => {
  it('waitFor resolves with the first truthy value', async () => {
    let n = 0
    const v = await waitFor(() => ++n >= 3 ? n : false, { intervalMs: 1 })
    expect(v).to.equal(3)
  })

  it('waitFor rejects with TimeoutError naming what it waited for', async () => {
    const err = await waitFor(() => false, { timeoutMs: 20, intervalMs: 5, what: 'godot' }).then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(TimeoutError)
    expect((err as Error).message).to.contain('godot')
  })

  it('delay and raceSignal reject with AbortError when aborted', async () => {
    const c = new AbortController()
    const d = delay(10_000, { signal: c.signal })
    const r = raceSignal(new Promise(() => {}), c.signal)
    c.abort()
    expect(await d.then(() => undefined, (e: unknown) => e)).to.be.instanceOf(AbortError)
    expect(await r.then(() => undefined, (e: unknown) => e)).to.be.instanceOf(AbortError)
  })
})

describe('MemoryMetrics', () => {
  it('records counters, gauges and histograms by labels', () => {
    const m = new MemoryMetrics()
    const dropped = m.counter({ name: 'x_dropped_total', help: 'dropped', labelNames: ['reason'] })
    dropped.inc({ reason: 'hmac' })
    dropped.inc({ reason: 'hmac' }, 2)
    dropped.inc({ reason: 'short' })
    const g = m.gauge({ name: 'x_members', help: 'members' })
    g.set(5)
    g.dec()
    const h = m.histogram({ name: 'x_rtt_ms', help: 'rtt' })
    h.observe(1.5)
    expect(m.get('x_dropped_total', { reason: 'hmac' })).to.equal(3)
    expect(m.total('x_dropped_total')).to.equal(4)
    expect(m.get('x_members')).to.equal(4)
    expect(m.observed('x_rtt_ms')).to.deep.equal([1.5])
  })
})

describe('loggers', () => {
  it('name their components and honour the level', () => {
    const log = createLogger('swim', { level: 'silent' })
    expect(log.child('transport').component).to.equal('swim:transport')
    expect(log.isEnabled('error')).to.equal(false)
    const traced = createLogger('raft', { level: 'warn', trace: 'raft' })
    expect(traced.isEnabled('debug')).to.equal(true)
    expect(traced.child('log').isEnabled('debug')).to.equal(true)
    expect(silentLogger().isEnabled('error')).to.equal(false)
  })
})

describe('bench helpers', () => {
  it('compute quantiles and goal verdicts', () => {
    expect(median([3, 1, 2])).to.equal(2)
    expect(quantile([1, 2, 3, 4], 1)).to.equal(4)
    expect(meetsGoal({ bench: 'x', value: 5, unit: 'ms', goal: 6, better: 'lower' })).to.equal(true)
    expect(meetsGoal({ bench: 'x', value: 5, unit: 'ms', goal: 6, better: 'higher' })).to.equal(false)
  })
})
