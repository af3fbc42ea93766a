import { expect } from 'chai'
import { runSeeds } from '@clusterfunk/sim'
import type { QueryReply } from '../../src/index.js'
import { ClusterWorld } from './cluster-world.js'
import { ClusterInvariants } from './invariants.js'

const FORM_MS = 30_000
/** A member every gossip transmit missed gets an event with the next push/pull: within two push/pull intervals (the local preset's 15 s, scaled for a few nodes). */
const SPREAD_MS = 40_000
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s))

describe('user events and queries in the whole-cluster simulation (loss, duplicates, a partition, a crash)', function () {
  this.timeout(120_000)

  it('an event reaches every member that stays connected, once; a query\'s responders are exactly the filtered members alive and connected', async function () {
    let events = 0
    let queries = 0
    const summary = await runSeeds({
      name: 'cluster events and queries',
      test: this.test,
      seeds: 4,
      budgetMs: 20_000,
      traceLines: 30,
      simulation: { trace: { maxLines: 10_000 } },
      scenario: async ({ sim }) => {
        const world = new ClusterWorld(sim, { initial: 6, extra: 0, maxVoters: 3, lossRate: 0.05, duplicateRate: 0.03, reorderRate: 0.05, shards: 64, snapshotThreshold: 1000 })
        const inv = new ClusterInvariants(world)
        for (const n of world.nodes) world.start(n.id)
        if (!await sim.runUntilAsync(() => { inv.check(); return inv.converged() }, { maxMs: FORM_MS })) throw new Error(`no cluster formed: ${inv.describeNodes()}`)
        const random = sim.fork('messaging')
        const got = new Map<string, number>()
        for (const { id, cluster } of world.running()) {
          cluster.addEventListener('event:user', e => { if (e.detail.name === 'deploy') got.set(id, (got.get(id) ?? 0) + 1) })
          cluster.handleQuery('whoami', (payload) => bytes(`${id}:${Buffer.from(payload).toString()}`))
        }
        const ids = world.running().map(r => r.id)
        const [isolated, crashed, ...connected] = random.shuffle(ids) as [string, string, ...string[]]
        world.partitions.isolate(isolated)
        world.crash(crashed, 'all')
        const firer = random.pick(connected)
        world.node(firer).cluster?.fire('deploy', bytes('v7'))
        events++
        const spread = await sim.runUntilAsync(() => connected.every(id => got.has(id)), { maxMs: SPREAD_MS })
        expect(spread, `event reached ${[...got.keys()].sort().join(',')} of ${connected.join(',')}`).to.equal(true)
        expect(connected.every(id => got.get(id) === 1)).to.equal(true)

        // A query filtered to some nodes, the cut-off and the crashed among them perhaps.
        const filter = random.shuffle(ids).slice(0, 4)
        const asker = random.pick(connected)
        const replies: QueryReply[] = []
        let done = false
        const cluster = world.node(asker).cluster
        if (cluster === undefined) throw new Error(`${asker} is not running`)
        const iterator = cluster.query('whoami', bytes('?'), { filterNodes: filter, timeoutMs: 3000 })
        queries++
        void (async () => { for await (const r of iterator) replies.push(r); done = true })()
        expect(await sim.runUntilAsync(() => done, { maxMs: 5000 })).to.equal(true)
        const expected = filter.filter(id => connected.includes(id)).sort()
        const responders = replies.filter(r => r.type === 'response').map(r => r.from).sort()
        expect(responders, `filter ${filter.join(',')}, isolated ${isolated}, crashed ${crashed}`).to.deep.equal(expected)
        expect(new Set(responders).size).to.equal(responders.length)
        for (const r of replies.filter(x => x.type === 'response')) expect(Buffer.from(r.payload).toString()).to.equal(`${r.from}:?`)
        world.partitions.heal()
      }
    })
    console.log(`      seeds ${summary.seeds[0]}..${summary.seeds.at(-1)}: ${events} events, ${queries} queries`)
    expect(events).to.equal(summary.seeds.length)
  })
})
