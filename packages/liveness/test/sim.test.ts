import { expect } from 'chai'
import { InvalidConfigError, MemoryMetrics, punctualHealth, type LocalHealth } from '@clusterfunk/core'
import { PacketNetwork, Partitions, SimHosts, Simulation, StreamNetwork } from '@clusterfunk/sim'
import { SIM_CHECKER_PORT, SIM_ENDPOINT_PORT, simLivenessChecker, simLivenessEndpoint } from '../src/sim.js'
import type { NodeAliveEvent, NodeDeadEvent } from '../src/index.js'

describe('the shipping LivenessChecker and LivenessEndpoint on simulated hosts (./sim)', () => {
  /** Host n1 runs the checker, n2 the endpoint for node 'b'; every datagram takes exactly 2 ms. */
  function setup (options: { key?: string, endpointKey?: string, seed?: number } = {}) {
    const sim = new Simulation({ seed: options.seed ?? 1 })
    const partitions = new Partitions()
    const packets = new PacketNetwork(sim, { partitions, latency: { minMs: 2, maxMs: 2 } })
    const hosts = new SimHosts(sim, { packets, streams: new StreamNetwork(sim, { partitions }) })
    const n1 = hosts.host('n1')
    const n2 = hosts.host('n2')
    const endpoint = simLivenessEndpoint(n2, { nodeId: 'b', ...(options.endpointKey === undefined ? {} : { key: options.endpointKey }) })
    const metrics = new MemoryMetrics()
    const checker = simLivenessChecker(n1, { intervalMs: 100, retries: 3, ...(options.key === undefined ? {} : { key: options.key }) }, { metrics })
    const dead: NodeDeadEvent[] = []
    const alive: NodeAliveEvent[] = []
    checker.addEventListener('node:dead', e => { dead.push(e.detail) })
    checker.addEventListener('node:alive', e => { alive.push(e.detail) })
    return { sim, packets, n1, n2, endpoint, checker, metrics, dead, alive }
  }

  it('a node whose endpoint answers is alive and keeps answering every probe, with its RTT measured', async () => {
    const { sim, endpoint, checker, metrics, alive, dead } = setup()
    await endpoint.start()
    await checker.start()
    expect(endpoint.address().port).to.equal(SIM_ENDPOINT_PORT)
    expect(checker.address().port).to.equal(SIM_CHECKER_PORT)
    checker.add('b', endpoint.address())
    sim.runFor(1_000)
    expect(alive.map(e => e.nodeId)).to.deep.equal(['b'])
    expect(dead).to.deep.equal([])
    expect(checker.nodeStatus('b')).to.include({ state: 'alive', misses: 0, lastRttMs: 4 })
    expect(checker.stats().probesSent).to.be.at.least(9)
    const { probesSent, replies, timeouts } = checker.stats()
    expect(replies).to.be.within(probesSent - 1, probesSent)
    expect(timeouts).to.equal(0)
    expect(endpoint.stats().replies).to.be.within(probesSent - 1, probesSent)
    // Round trips are observed in seconds.
    expect(metrics.observed('clusterfunk_liveness_rtt_seconds').every(v => v === 0.004)).to.equal(true)
  })

  it('a node cut off is dead after `retries` missed probes and alive again when it answers', async () => {
    const { sim, packets, endpoint, checker, alive, dead } = setup()
    await endpoint.start()
    await checker.start()
    checker.add('b', endpoint.address())
    sim.runFor(300)
    packets.isolate('n2')
    sim.runFor(500)
    expect(dead.map(e => [e.nodeId, e.misses, e.previous])).to.deep.equal([['b', 3, 'alive']])
    packets.heal()
    sim.runFor(300)
    expect(alive.map(e => [e.nodeId, e.previous])).to.deep.equal([['b', 'unknown'], ['b', 'dead']])
  })

  it('a muted endpoint port answers nothing while its host stays up, and answers again once unmuted', async () => {
    const { sim, n2, endpoint, checker, dead, alive } = setup()
    await endpoint.start()
    await checker.start()
    checker.add('b', endpoint.address())
    sim.runFor(200)
    n2.mute(SIM_ENDPOINT_PORT, true)
    sim.runFor(500)
    expect(dead.map(e => e.nodeId)).to.deep.equal(['b'])
    n2.mute(SIM_ENDPOINT_PORT, false)
    sim.runFor(300)
    expect(alive.map(e => e.previous)).to.deep.equal(['unknown', 'dead'])
  })

  it('a checker starved with its node (one busy host: both paused 400 ms) waits its own stall out instead of declaring the node dead', async () => {
    const run = async (health?: LocalHealth) => {
      const sim = new Simulation({ seed: 3 })
      const packets = new PacketNetwork(sim, { latency: { minMs: 2, maxMs: 2 } })
      const hosts = new SimHosts(sim, { packets, streams: new StreamNetwork(sim, {}) })
      const [n1, n2] = [hosts.host('n1'), hosts.host('n2')]
      const endpoint = simLivenessEndpoint(n2, { nodeId: 'b' })
      const checker = simLivenessChecker(n1, { intervalMs: 100, retries: 1 }, health === undefined ? {} : { health })
      const dead: string[] = []
      checker.addEventListener('node:dead', e => { dead.push(e.detail.nodeId) })
      await endpoint.start()
      await checker.start()
      checker.add('b', endpoint.address())
      sim.runFor(300)
      // The host stalls right after a probe left: its answer waits in the paused endpoint.
      const sent = checker.stats().probesSent
      for (let i = 0; i < 1_000 && checker.stats().probesSent === sent; i++) sim.step()
      n1.pause(); n2.pause()
      sim.runFor(400)
      n1.resume(); n2.resume()
      sim.runFor(500)
      expect(checker.nodeStatus('b')?.state).to.equal('alive') // it answers again either way
      await checker.stop()
      await endpoint.stop()
      return dead
    }
    expect(await run()).to.deep.equal([]) // its own monitor saw the 400 ms stall
    expect(await run(punctualHealth)).to.deep.equal(['b']) // a checker blind to its own stall accuses the node
  })

  it('with a key, probes and replies are authenticated: an endpoint with another key answers nothing', async () => {
    const good = setup({ key: 'sixteen-byte-key-1', endpointKey: 'sixteen-byte-key-1' })
    await good.endpoint.start()
    await good.checker.start()
    good.checker.add('b', good.endpoint.address())
    good.sim.runFor(500)
    expect(good.checker.nodeStatus('b')?.state).to.equal('alive')

    const bad = setup({ key: 'sixteen-byte-key-1', endpointKey: 'sixteen-byte-key-2' })
    await bad.endpoint.start()
    await bad.checker.start()
    bad.checker.add('b', bad.endpoint.address())
    bad.sim.runFor(500)
    expect(bad.checker.nodeStatus('b')?.state).to.equal('dead')
    expect(bad.endpoint.stats().dropped.auth).to.be.greaterThan(0)
  })

  it('an endpoint drops probes for another node id, and a crashed host stops checker and endpoint at once', async () => {
    const { sim, n1, n2, endpoint, checker } = setup()
    await endpoint.start()
    await checker.start()
    checker.add('c', endpoint.address())
    sim.runFor(400)
    expect(checker.nodeStatus('c')?.state).to.equal('dead')
    expect(endpoint.stats().dropped['wrong-node']).to.be.greaterThan(0)
    const sent = checker.stats().probesSent
    n1.crash()
    n2.crash()
    sim.runFor(1_000)
    expect(checker.stats().probesSent).to.equal(sent)
    expect(sim.pending).to.equal(0)
  })

  it('stop() releases the socket and every timer: the port can be bound again and nothing is left to run', async () => {
    const { sim, n1, endpoint, checker } = setup()
    await endpoint.start()
    await checker.start()
    checker.add('b', endpoint.address())
    sim.runFor(300)
    await checker.stop()
    await endpoint.stop()
    sim.runFor(1_000)
    expect(sim.pending).to.equal(0)
    const again = await n1.packets.bind(n1.ip, SIM_CHECKER_PORT)
    await again.close()
  })

  it('a bad option is refused at construction, as by the constructors themselves', () => {
    const { n1, n2 } = setup()
    expect(() => simLivenessEndpoint(n2, { nodeId: '' })).to.throw(InvalidConfigError)
    expect(() => simLivenessChecker(n1, { retries: 0 })).to.throw(InvalidConfigError)
  })

  it('a seed replays the same run: the same verdicts at the same virtual times', async () => {
    async function run (seed: number): Promise<string[]> {
      const { sim, packets, endpoint, checker, dead, alive } = setup({ seed })
      packets.configureLink('n1', 'n2', { lossRate: 0.3, latency: { minMs: 1, maxMs: 9 } })
      await endpoint.start()
      await checker.start()
      checker.add('b', endpoint.address())
      const log: string[] = []
      checker.addEventListener('node:dead', () => { log.push(`dead@${sim.now()}`) })
      checker.addEventListener('node:alive', () => { log.push(`alive@${sim.now()}`) })
      sim.runFor(5_000)
      log.push(`${dead.length}/${alive.length}/${checker.stats().probesSent}`)
      return log
    }
    const first = await run(7)
    expect(first.length).to.be.greaterThan(1)
    expect(await run(7)).to.deep.equal(first)
  })
})
