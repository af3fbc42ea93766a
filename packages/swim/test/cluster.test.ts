import { expect } from 'chai'
import { lanConfig } from '../src/config.js'
import { suspicionBounds } from '../src/suspicion.js'
import { Harness, type SimNode } from './cluster-harness.js'

const N = 16

/** N nodes; every node joins through n0. Runs until they all see each other. */
function cluster (seed: number, dropRate = 0): { h: Harness, nodes: SimNode[], convergedAt: number } {
  const h = new Harness({ seed, config: {}, dropRate })
  const nodes: SimNode[] = []
  for (let i = 0; i < N; i++) nodes.push(h.add(`n${i}`, { 'ep.http': `http://10.0.0.${i}:8080` }))
  for (const n of nodes.slice(1)) h.act(n, (core, now) => { core.join(now, [nodes[0]?.address ?? '']) })
  const convergedAt = h.run(60_000, () => h.converged())
  return { h, nodes, convergedAt }
}

describe('a simulated SWIM cluster', function () {
  this.timeout(60_000)

  it('sixteen nodes joining through one seed converge to a full view', () => {
    const { h, nodes, convergedAt } = cluster(1)
    expect(h.converged()).to.equal(true)
    expect(convergedAt).to.be.below(5000)
    for (const n of nodes) {
      expect(n.core.members()).to.have.length(N)
      expect(n.core.member('n7')?.tags.get('ep.http')).to.equal('http://10.0.0.7:8080')
    }
  })

  it('sixteen nodes converge even when one datagram in ten is lost', () => {
    const { h } = cluster(2, 0.1)
    expect(h.converged()).to.equal(true)
    h.run(h.now + 30_000)
    expect(h.converged()).to.equal(true)
    const failures = [...h.nodes.values()].flatMap(n => n.events.filter(e => e.type === 'member:failed'))
    expect(failures).to.deep.equal([])
  })

  it('a crashed node is marked failed by every other node within the bound the suspicion math gives', () => {
    const { h, nodes } = cluster(3)
    h.run(h.now + 5000)
    const victim = nodes[5] as SimNode
    const crashedAt = h.now
    h.crash(victim)
    const others = nodes.filter(n => n !== victim)
    const failedEverywhere = (): boolean => others.every(n => n.core.member(victim.id)?.status === 'dead')
    const suspected = (): boolean => others.some(n => n.core.member(victim.id)?.status === 'suspect')
    const { minMs, maxMs } = suspicionBounds(lanConfig.suspicionMult, lanConfig.suspicionMaxTimeoutMult, N, lanConfig.probeIntervalMs)
    // Every live node probes the victim within one round of N − 1 probe intervals, its own probe
    // fails within one more, and its suspicion fires within the maximum timeout; gossip adds little.
    const bound = N * lanConfig.probeIntervalMs + maxMs
    const suspectedAt = h.run(crashedAt + bound, suspected)
    const doneAt = h.run(crashedAt + bound, failedEverywhere)
    expect(failedEverywhere()).to.equal(true)
    expect(doneAt - crashedAt).to.be.at.most(bound)
    // Lifeguard: independent confirmations cut the wait from the first suspicion to about the
    // minimum timeout (plus gossip), far below the maximum.
    expect(doneAt - suspectedAt).to.be.within(minMs, minMs + 1000)
    for (const n of others) {
      expect(n.events.filter(e => e.type === 'member:failed').map(e => e.member.id)).to.deep.equal([victim.id])
    }
  })

  it('a tag update reaches every node', () => {
    const { h, nodes } = cluster(4)
    const changer = nodes[3] as SimNode
    h.act(changer, (core, now) => { core.setTags(now, { 'ep.http': 'http://10.0.1.3:9090', zone: 'b' }) })
    const seen = (): boolean => nodes.every(n => n.core.member(changer.id)?.tags.get('zone') === 'b')
    const start = h.now
    h.run(start + 10_000, seen)
    expect(seen()).to.equal(true)
    expect(h.now - start).to.be.below(2000)
    for (const n of nodes) {
      expect(n.core.member(changer.id)?.incarnation).to.equal(2)
      if (n !== changer) expect(n.events.filter(e => e.type === 'member:update').map(e => e.member.id)).to.include(changer.id)
    }
  })

  it('a node whose processing stalls briefly is not declared failed, and its own false suspicion is refuted', () => {
    const { h, nodes } = cluster(5)
    h.run(h.now + 3000)
    const slow = nodes[9] as SimNode
    // stall right after it sent a probe: when it runs again its probe has expired unanswered
    h.run(h.now + 5000, () => slow.lastProbeAt === h.now)
    h.stall(slow, 3000)
    h.run(h.now + 3000)
    // the others suspected it meanwhile; it refutes as soon as it runs again
    expect(nodes.some(n => n.core.member(slow.id)?.status === 'suspect')).to.equal(true)
    h.run(h.now + 50)
    expect(slow.core.member(slow.id)?.incarnation).to.be.greaterThan(1)
    // Lifeguard: the expired probe (no nacks) and the refutation made it distrust itself
    expect(slow.core.healthScore).to.be.greaterThan(0)
    expect(slow.events.map(e => e.type)).to.include('member:suspect')
    h.run(h.now + 40_000)
    const failures = nodes.flatMap(n => n.events.filter(e => e.type === 'member:failed'))
    expect(failures).to.deep.equal([])
    expect(h.converged()).to.equal(true)
  })

  it('Lifeguard cuts the false suspicions and failures a node with a degraded receiver raises', () => {
    // n4 loses 70 % of the datagrams sent to it; everyone else is healthy, and UDP is all there is
    const falseAlarms = (lifeguard: boolean, seed: number): { suspicions: number, failures: number, health: number } => {
      const config = lifeguard ? { tcpFallbackPing: false } : { tcpFallbackPing: false, awarenessMaxMultiplier: 1, suspicionMaxTimeoutMult: 1 }
      const h = new Harness({ seed, config })
      const nodes = Array.from({ length: N }, (_, i) => h.add(`n${i}`))
      for (const n of nodes.slice(1)) h.act(n, (core, now) => { core.join(now, [nodes[0]?.address ?? '']) })
      h.run(60_000, () => h.converged())
      const degraded = nodes[4] as SimNode
      degraded.inboundLoss = 0.7
      h.run(h.now + 60_000)
      const count = (type: string): number => degraded.events.filter(e => e.type === type).length
      return { suspicions: count('member:suspect'), failures: count('member:failed'), health: degraded.core.healthScore }
    }
    const seeds = [1, 2, 3, 4, 5, 6]
    const off = seeds.map(seed => falseAlarms(false, seed))
    const on = seeds.map(seed => falseAlarms(true, seed))
    const sum = (rs: typeof on, k: 'suspicions' | 'failures'): number => rs.reduce((s, r) => s + r[k], 0)
    expect(sum(off, 'failures')).to.be.greaterThan(0)
    expect(sum(on, 'failures')).to.equal(0)
    expect(sum(on, 'suspicions') * 3).to.be.below(sum(off, 'suspicions'))
    for (const r of on) expect(r.health).to.be.greaterThan(0)
  })

  it('a node that leaves is seen as left by every other node', () => {
    const { h, nodes } = cluster(6)
    const leaver = nodes[2] as SimNode
    h.act(leaver, (core, now) => { core.leave(now) })
    h.run(h.now + 10_000, () => leaver.core.leaveBroadcastDone)
    expect(leaver.core.leaveBroadcastDone).to.equal(true)
    h.crash(leaver)
    h.run(h.now + 3000)
    for (const n of nodes.filter(n => n !== leaver)) {
      expect(n.core.member(leaver.id)?.status).to.equal('left')
      expect(n.events.map(e => e.type)).to.not.include('member:failed')
    }
  })

  it('a crashed node that restarts under its name rejoins above the incarnation it died with', () => {
    const { h, nodes } = cluster(8)
    const victim = nodes[4] as SimNode
    h.crash(victim)
    const others = nodes.filter(n => n !== victim)
    h.run(h.now + 60_000, () => others.every(n => n.core.member(victim.id)?.status === 'dead'))
    const diedAt = others.map(n => n.core.member(victim.id)?.incarnation ?? 0)
    const restarted = h.add(victim.id)
    h.act(restarted, (core, now) => { core.join(now, [nodes[0]?.address ?? '']) })
    h.run(h.now + 10_000, () => others.every(n => n.core.member(victim.id)?.status === 'alive'))
    for (const n of others) {
      expect(n.core.member(victim.id)?.status).to.equal('alive')
      expect(n.core.member(victim.id)?.incarnation).to.be.greaterThan(Math.max(...diedAt))
      expect(n.events.filter(e => e.member.id === victim.id).map(e => e.type)).to.include.members(['member:failed', 'member:join'])
    }
    expect(restarted.core.members().filter(m => m.status === 'alive')).to.have.length(N)
  })

  it('a node restarted at a new address under the same name is accepted only once the old one is dead', () => {
    const { h, nodes } = cluster(9)
    const victim = nodes[6] as SimNode
    h.crash(victim)
    const others = nodes.filter(n => n !== victim)
    const moved = h.add(victim.id, {}, '10.9.9.9:7946')
    h.act(moved, (core, now) => { core.join(now, [nodes[0]?.address ?? '']) })
    h.run(h.now + 500)
    // the old incarnation is still believed alive (or suspect): the new address is refused
    for (const n of others) expect(n.core.member(victim.id)?.address).to.equal(victim.address)
    h.run(h.now + 60_000, () => others.every(n => n.core.member(victim.id)?.address === '10.9.9.9:7946' && n.core.member(victim.id)?.status === 'alive'))
    for (const n of others) {
      expect(n.core.member(victim.id)).to.deep.include({ address: '10.9.9.9:7946', status: 'alive' })
      expect(n.events.filter(e => e.member.id === victim.id).map(e => e.type)).to.include('member:failed')
    }
  })

  it('the same seed replays the same run', () => {
    const a = cluster(7, 0.05)
    const b = cluster(7, 0.05)
    expect(a.convergedAt).to.equal(b.convergedAt)
    expect(a.h.datagrams).to.equal(b.h.datagrams)
  })
})
