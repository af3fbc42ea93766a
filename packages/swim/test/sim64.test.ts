import { expect } from 'chai'
import { runSeeds } from '@clusterfunk/sim'
import { lanConfig, localConfig } from '../src/config.js'
import { pushPullInterval, retransmitLimit } from '../src/scaling.js'
import { suspicionBounds, suspicionTimeout, wantedConfirmations } from '../src/suspicion.js'
import { SimCluster } from './sim-cluster.js'

const N = 64
const NET = { latency: { minMs: 1, maxMs: 20 }, lossRate: 0.05 }
const MAX_LATENCY_MS = NET.latency.maxMs
// every node push/pulls with a random alive member once an interval (scaled up beyond 32 members)
const CONVERGE_MS = 2 * pushPullInterval(lanConfig.pushPullIntervalMs, N)
// a broadcast is gossiped at most retransmitLimit times by each node that holds it, one gossip round each
const DISSEMINATION_MS = retransmitLimit(lanConfig.retransmitMult, N) * lanConfig.gossipIntervalMs + 2 * MAX_LATENCY_MS
const SEEDS = { seeds: 3, budgetMs: 5000 }

describe('64 SWIM members over the simulator, 5 % loss and 1–20 ms latency', function () {
  this.timeout(60_000)

  it('sixty-four nodes joining through one converge to a full view', async function () {
    await runSeeds({
      name: 'swim 64 converge',
      test: this.test,
      ...SEEDS,
      scenario: async ({ sim }) => {
        const c = await SimCluster.create(sim, { size: N, ...NET })
        expect(await c.converge(CONVERGE_MS)).to.equal(true)
        for (const n of c.nodes) expect(n.members().filter(m => m.status === 'alive')).to.have.length(N)
      }
    })
  })

  it('a crashed node is marked failed by every survivor within the bound the suspicion math gives', async function () {
    await runSeeds({
      name: 'swim 64 detects a crash',
      test: this.test,
      ...SEEDS,
      scenario: async ({ sim }) => {
        const c = await SimCluster.create(sim, { size: N, ...NET })
        expect(await c.converge(CONVERGE_MS)).to.equal(true)
        const victim = c.node(17)
        const survivors = c.nodes.filter(n => n !== victim)
        const crashedAt = sim.now()
        victim.crash()
        // bound = time to be probed + probe interval + suspicion timeout + dissemination:
        //  - every survivor's round-robin list reaches the victim within (N − 1) probe intervals;
        //  - that probe fails by the end of its interval (P);
        //  - N − 1 > K survivors suspect it independently within that window, so the K wanted
        //    confirmations arrive and the timeout is suspicionTimeout(min, max, K, K) = min;
        //  - the dead message then spreads within DISSEMINATION_MS.
        const P = lanConfig.probeIntervalMs
        const { minMs, maxMs } = suspicionBounds(lanConfig.suspicionMult, lanConfig.suspicionMaxTimeoutMult, N, P)
        const K = wantedConfirmations(lanConfig.suspicionMult, N)
        const bound = (N - 1) * P + P + suspicionTimeout(minMs, maxMs, K, K) + DISSEMINATION_MS
        const failed = (): boolean => survivors.every(n => n.member(victim.id)?.status === 'dead')
        expect(await sim.runUntilAsync(failed, { maxMs: bound })).to.equal(true)
        expect(sim.now() - crashedAt).to.be.at.most(bound)
        expect(new Set(c.failures().filter(f => f.endsWith(` ${victim.id}`)).map(f => f.split(' ')[0])).size).to.equal(N - 1)
      }
    })
  })

  it('after a 32|32 partition outlasting gossip to the dead heals, reconnects bring every node back into every view', async function () {
    await runSeeds({
      name: 'swim 64 heals a partition by reconnecting',
      test: this.test,
      // about 4 s of real time a seed: 100 s of virtual time at 64 nodes
      seeds: 2,
      budgetMs: 4000,
      scenario: async ({ sim }) => {
        const c = await SimCluster.create(sim, { size: N, preset: 'local', ...NET })
        expect(await c.converge(CONVERGE_MS)).to.equal(true)
        const left = c.nodes.slice(0, N / 2)
        const right = c.nodes.slice(N / 2)
        c.nets.packets.partition(left.map(n => n.id), right.map(n => n.id))
        // an O(N²) check: sampled every 500 ms of virtual time, not after every event
        const split = c.sampled(500, () => left.every(n => right.every(m => n.member(m.id)?.status === 'dead' && m.member(n.id)?.status === 'dead')))
        expect(await sim.runUntilAsync(split, { maxMs: 180_000 })).to.equal(true)
        // gossip to the dead is over: only a reconnect crosses the healed cut
        await sim.runForAsync(localConfig.gossipToTheDeadTimeMs + 1)
        c.nets.packets.heal()
        // Within one reconnect interval every node (32 failed of 32 live: probability 1) pushes its
        // view across; each side learns it was declared dead and refutes, and the refutations spread
        // by gossip. The few members a lossy gossip missed come back by anti-entropy: within two
        // push/pull intervals every node has pulled the full state of a healed peer.
        expect(await c.converge(localConfig.reconnectIntervalMs + 2 * pushPullInterval(localConfig.pushPullIntervalMs, N))).to.equal(true)
      }
    })
  })

  it('a node whose processing stalls for less than the suspicion timeout is never declared failed (Lifeguard on)', async function () {
    await runSeeds({
      name: 'swim 64 survives a stall',
      test: this.test,
      ...SEEDS,
      scenario: async ({ sim }) => {
        const c = await SimCluster.create(sim, { size: N, ...NET })
        expect(await c.converge(CONVERGE_MS)).to.equal(true)
        const { minMs } = suspicionBounds(lanConfig.suspicionMult, lanConfig.suspicionMaxTimeoutMult, N, lanConfig.probeIntervalMs)
        const slow = c.node(9)
        slow.pause()
        await sim.runForAsync(minMs - 2 * lanConfig.probeIntervalMs)
        // the stall was felt: someone suspected it
        expect(c.events.some(e => e.type === 'member:suspect' && e.member.id === slow.id)).to.equal(true)
        slow.resume()
        await sim.runForAsync(lanConfig.suspicionMaxTimeoutMult * minMs)
        expect(c.failures().filter(f => f.endsWith(` ${slow.id}`))).to.deep.equal([])
        expect(c.fullView()).to.equal(true)
      }
    })
  })

  it('a tag update on one node reaches all sixty-four', async function () {
    await runSeeds({
      name: 'swim 64 spreads tags',
      test: this.test,
      ...SEEDS,
      scenario: async ({ sim }) => {
        const c = await SimCluster.create(sim, { size: N, ...NET })
        expect(await c.converge(CONVERGE_MS)).to.equal(true)
        const changer = c.node(42)
        changer.setTags({ zone: 'eu-2' })
        const seen = (): boolean => c.nodes.every(n => n.member(changer.id)?.tags.get('zone') === 'eu-2')
        expect(await sim.runUntilAsync(seen, { maxMs: DISSEMINATION_MS })).to.equal(true)
      }
    })
  })
})
