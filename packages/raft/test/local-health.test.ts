import { ManualClock, SeededRandom } from '@clusterfunk/core'
import { expect } from 'chai'
import { MemoryLogStore, MemorySnapshotStore, Raft, leaseTicksFor, type Configuration, type Role } from '../src/index.js'
import { MemoryNetwork } from '../src/testing.js'
import { KvFsm } from './helpers/kv-fsm.js'
import { Network } from './helpers/network.js'

const T = 10

/** Three voters; `a` leads and has committed its no-op. */
function elected (options: { readOnly?: 'safe' | 'lease' } = {}): Network {
  const net = Network.create(['a', 'b', 'c'], { electionTicks: T, ...options })
  // In 'lease' mode voters refuse votes for T ticks after they start.
  if (options.readOnly === 'lease') net.run(T)
  net.elect('a')
  net.stabilize()
  expect(net.leader()).to.equal('a')
  return net
}

/** Ticks `id` `times` times, each with `localDelayTicks`. */
function tickWith (net: Network, id: string, times: number, localDelayTicks: number): void {
  for (let i = 0; i < times; i++) {
    net.core(id).tick(localDelayTicks)
    net.processReady(id)
  }
}

describe('local health in the core: a stalled process widens its own timeouts', () => {
  it('a follower that knows it was stalled does not campaign for its own silence; once healthy it does', () => {
    const net = elected()
    net.isolate('a')
    const term = net.core('b').status().term
    tickWith(net, 'b', 2 * T, 3 * T)
    expect(net.core('b').status().role).to.equal('follower')
    expect(net.core('b').status().term).to.equal(term)
    // The same silence without a stall of its own: it campaigns within 2T.
    tickWith(net, 'c', 2 * T, 0)
    expect(net.core('c').status().role).to.not.equal('follower')
    // The widening lasts the period it was given in: b campaigns once its timeout plus its stall has passed.
    tickWith(net, 'b', 3 * T, 0)
    expect(net.core('b').status().role).to.not.equal('follower')
  })

  it('the widening ends with the period: once the leader is heard again, a later silence is not widened', () => {
    const net = elected()
    tickWith(net, 'b', T, 3 * T)
    net.tick('a')
    net.stabilize()
    expect(net.core('b').status().role).to.equal('follower')
    net.isolate('a')
    tickWith(net, 'b', 2 * T, 0)
    expect(net.core('b').status().role).to.not.equal('follower')
  })

  it('the widening is bounded: at most 8 election timeouts', () => {
    const net = elected()
    net.isolate('a')
    tickWith(net, 'b', 16 * T, 1000)
    expect(net.core('b').status().role).to.not.equal('follower')
  })

  it('a stalled leader keeps its role through check-quorum, but its read lease ends on time', () => {
    const net = elected({ readOnly: 'lease' })
    net.propose('a', 'x')
    net.tick('a')
    net.stabilize()
    expect(net.core('a').status().leaseReadable).to.equal(true)
    net.isolate('a')
    tickWith(net, 'a', leaseTicksFor(T) + 1, 4 * T)
    expect(net.core('a').status().leaseReadable).to.equal(false)
    tickWith(net, 'a', 2 * T, 4 * T)
    expect(net.core('a').status().role).to.equal('leader')
    expect(net.core('a').status().leaseReadable).to.equal(false)
    // Healthy again and still cut off: the widened period ends (its check may still count the answers from
    // before the cut), then an unwidened one deposes it.
    tickWith(net, 'a', 4 * T, 0)
    expect(net.core('a').status().role).to.equal('follower')
  })

  it('without a stall, check-quorum deposes a cut-off leader within two election timeouts', () => {
    const net = elected()
    net.isolate('a')
    tickWith(net, 'a', 2 * T, 0)
    expect(net.core('a').status().role).to.equal('follower')
  })

  it('tick refuses a negative or non-finite delay', () => {
    const net = elected()
    expect(() => { net.core('a').tick(-1) }).to.throw(RangeError)
    expect(() => { net.core('a').tick(Number.NaN) }).to.throw(RangeError)
  })
})

describe('local health in the Raft driver', () => {
  const nodes: Array<Raft<number>> = []
  afterEach(async () => { for (const n of nodes.splice(0)) await n.stop() })

  /** Three nodes on their own manual clocks over the in-memory network. */
  async function cluster (): Promise<{ clocks: ManualClock[], network: MemoryNetwork, roles: Role[] }> {
    const network = new MemoryNetwork()
    const clocks = ['a', 'b', 'c'].map(() => new ManualClock())
    const configuration: Configuration = { voters: ['a', 'b', 'c'].map(id => ({ id, address: `mem-${id}` })), nonVoters: [] }
    const roles: Role[] = []
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      const store = new MemoryLogStore()
      const raft = new Raft<number>({
        transport: network.transport(`mem-${id}`),
        logStore: store,
        stableStore: store,
        snapshotStore: new MemorySnapshotStore(),
        fsm: new KvFsm(),
        clock: clocks[i],
        random: new SeededRandom(i + 1)
      }, { id, preset: 'fast' })
      if (id === 'b') raft.addEventListener('role:change', e => { roles.push(e.detail.role) })
      await raft.start()
      await raft.bootstrap(configuration)
      nodes.push(raft)
    }
    return { clocks, network, roles }
  }

  /** Moves every clock but `paused`'s by `ms` in steps of 10 ms, letting messages flow in between. */
  async function run (clocks: ManualClock[], ms: number, paused?: number): Promise<void> {
    for (let t = 0; t < ms; t += 10) {
      for (const [i, c] of clocks.entries()) if (i !== paused) c.advance(10)
      for (let k = 0; k < 5; k++) await new Promise(resolve => setImmediate(resolve))
    }
  }

  async function pausedFollower (): Promise<Role[]> {
    const { clocks, network, roles } = await cluster()
    await run(clocks, 1500)
    const leader = nodes.find(n => n.stats().role === 'leader')
    expect(leader?.id).to.be.oneOf(['a', 'c'])
    roles.length = 0
    // b is paused (SIGSTOP) for three election timeouts: no timer runs, nothing reaches it.
    network.isolate('mem-b')
    await run(clocks, 450, 1)
    network.isolate('mem-b', false)
    clocks[1]!.stall(450)
    await run(clocks, 300)
    return roles
  }

  it('a follower paused for three election timeouts does not campaign when it resumes (its own timer overshoot)', async function () {
    this.timeout(20_000)
    const roles = await pausedFollower()
    expect(roles).to.deep.equal([])
    expect(nodes[1]!.stats().role).to.equal('follower')
  })

  it('a follower that ran on time while it heard nothing still campaigns (the widening covers only its own stall)', async function () {
    this.timeout(20_000)
    const { clocks, network, roles } = await cluster()
    await run(clocks, 1500)
    roles.length = 0
    network.isolate('mem-b')
    await run(clocks, 450)
    network.isolate('mem-b', false)
    await run(clocks, 300)
    expect(roles).to.include('preCandidate')
  })
})
