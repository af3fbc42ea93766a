import { expect } from 'chai'
import { Simulation } from '@clusterfunk/sim'
import type { NodeId } from '../src/index.js'
import { checkLinearizable, kvModel, type KvInput, type KvOutput, type Operation } from '../src/sim.js'
import { inspectRaft } from '../src/testing.js'
import { PausableClock } from './helpers/pausable-clock.js'
import { InspectableRaft, SimCluster } from './helpers/sim-cluster.js'
import { kvCommand } from './helpers/sim-kv.js'

/** A deliberately broken driver (the old one's habit): one tick per timer fire, whatever time passed, so a pause stops its lease clock. */
class StaleTickRaft extends InspectableRaft {
  constructor (...args: ConstructorParameters<typeof InspectableRaft>) {
    super(...args)
    const { loop } = inspectRaft(this)
    let tickedAt = loop.clock.now()
    loop.catchUpTicks = () => {
      const core = loop.core
      if (core === undefined || this.status !== 'started') return
      const now = loop.clock.now()
      if (now - tickedAt < loop.init.tickMs) return
      tickedAt = now
      core.tick()
      loop.kick()
    }
  }
}

type Fault = 'pause' | 'partition'

interface Outcome {
  verdict: string
  /** Reads on the old leader that returned after they were called later than the new leader's write returned. */
  staleReads: number
  /** Reads on the old leader served while it held its lease, before the fault. */
  leaseReads: number
}

/**
 * One seed: three nodes in 'lease' mode on virtual time. The leader takes
 * a write and serves lease reads; then it is cut off (and, for 'pause',
 * its process stopped: no timer fires) at a random moment; the others
 * elect a new leader, which commits a second write; then the old leader
 * (resumed, still cut off) is asked to read again and again. Every answer
 * goes into a history the linearizability checker judges.
 */
async function scenario (seed: number, fault: Fault, broken: boolean): Promise<Outcome> {
  const sim = new Simulation({ seed })
  const random = sim.fork('scenario')
  const clocks = new Map<NodeId, PausableClock>()
  const cluster = new SimCluster(sim, {
    size: 3,
    lossRate: 0,
    duplicateRate: 0,
    reorderRate: 0,
    syncDelayMs: r => 0.2 + r.float(),
    raft: { preset: 'fast', readOnly: 'lease', requestTimeoutMs: 1_000 },
    clockFor: id => { const c = new PausableClock(sim, id); clocks.set(id, c); return c },
    makeRaft: (components, init) => broken ? new StaleTickRaft(components, init) : new InspectableRaft(components, init)
  }, () => ({ onApply: () => {}, onRestore: () => {} }))
  const sleep = async (ms: number): Promise<void> => { await new Promise<void>(resolve => { sim.setTimeout(resolve, ms) }) }
  for (const id of cluster.ids) await cluster.start(id)
  const configuration = cluster.configuration()
  await sim.resolve(Promise.all([...cluster.live.values()].map(async n => { await n.raft.bootstrap(configuration) })), { maxMs: 1_000 })
  expect(await sim.runUntilAsync(() => cluster.leader() !== undefined, { maxMs: 5_000 }), 'a leader').to.equal(true)
  const old = cluster.leader() as NodeId

  const history: Array<Operation<KvInput, KvOutput>> = []
  let seq = 0
  let writeReturned = Infinity
  let staleReads = 0
  let leaseReads = 0
  const op = async (client: number, id: NodeId, input: KvInput): Promise<boolean> => {
    const n = cluster.node(id)
    if (n === undefined) return false
    const call = seq++
    try {
      const output = input.op === 'get'
        ? await n.raft.read(() => n.fsm.get(input.key), { timeoutMs: 300 })
        : await n.raft.apply(kvCommand(input), { timeoutMs: 1_000 })
      history.push({ client, input, call, return: seq++, output })
      if (id === old && input.op === 'get' && call > writeReturned) staleReads++
      return true
    } catch {
      // A failed read had no effect; a failed write may have.
      if (input.op !== 'get') history.push({ client, input, call })
      return false
    }
  }

  const run = async (): Promise<void> => {
    await op(0, old, { op: 'put', key: 'x', value: '1' })
    for (let i = 0; i < 5; i++) {
      await sleep(random.int(5, 40))
      if (cluster.node(old)?.raft.leaseReadable() === true) leaseReads++
      await op(1, old, { op: 'get', key: 'x' })
    }
    await sleep(random.int(0, 60))
    cluster.partitions.isolate(old)
    const clock = clocks.get(old) as PausableClock
    if (fault === 'pause') clock.paused = true
    // Partitioned (not paused): the old leader keeps being asked all along.
    let reading = fault === 'partition'
    const reader = (async () => { while (reading) { await op(2, old, { op: 'get', key: 'x' }); await sleep(random.int(1, 8)) } })()
    let next: NodeId | undefined
    while (next === undefined) {
      await sleep(5)
      next = cluster.ids.find(id => id !== old && cluster.node(id)?.raft.view()?.role === 'leader')
    }
    while (!await op(3, next, { op: 'put', key: 'x', value: '2' })) await sleep(10)
    writeReturned = seq - 1
    await sleep(random.int(0, 100))
    if (fault === 'pause') {
      clock.resume()
      // The first read right after the process wakes, in the same turn, then more.
      reading = true
      await Promise.all([op(2, old, { op: 'get', key: 'x' }), (async () => { await sleep(1); await op(2, old, { op: 'get', key: 'x' }) })()])
    }
    await sleep(100)
    reading = false
    await reader
    cluster.partitions.heal()
  }
  await sim.resolve(run(), { maxMs: 30_000 })
  const result = checkLinearizable(kvModel, history)
  await cluster.stopAll()
  return { verdict: result.verdict, staleReads, leaseReads }
}

const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1)

describe('lease reads of whole Raft nodes in the deterministic simulator', () => {
  for (const fault of ['pause', 'partition'] as const) {
    it(`a deposed leader (${fault === 'pause' ? 'paused and partitioned' : 'partitioned'}) never serves a lease read after a new leader committed a write (${SEEDS.length} seeds)`, async () => {
      let leaseReads = 0
      for (const seed of SEEDS) {
        const out = await scenario(seed, fault, false)
        expect(out.verdict, `seed ${seed}: the history is linearizable`).to.equal('ok')
        expect(out.staleReads, `seed ${seed}: reads the old leader served after the new write`).to.equal(0)
        leaseReads += out.leaseReads
      }
      // The lease was exercised, not just never held.
      expect(leaseReads).to.be.greaterThan(SEEDS.length)
    })
  }

  it('the checker catches a broken lease: a driver whose lease clock stops while the process is paused serves stale reads', async () => {
    let caught = 0
    for (const seed of SEEDS) {
      const out = await scenario(seed, 'pause', true)
      if (out.verdict === 'illegal') caught++
    }
    expect(caught, 'seeds whose history the checker refused').to.equal(SEEDS.length)
  })
})
