import { expect } from 'chai'
import { memberIds, type ConfigChange } from '../../src/index.js'
import { Network, bytes } from './network.js'
import { InvariantChecker } from './invariants.js'

/** What a run went through, to show the faults were exercised. */
export interface RunStats {
  checks: number
  applied: number
  restarts: number
  compactions: number
  snapshots: number
  terms: number
  configChanges: number
}

const IDS = ['a', 'b', 'c', 'd', 'e']

/**
 * The leader (if any) proposes one random membership change that keeps at
 * least three voters: demote or remove a voter (possibly itself), promote
 * or remove a non-voter, add a node that is not a member as a non-voter.
 */
function proposeRandomChange (net: Network): boolean {
  const leader = net.leader()
  if (leader === undefined) return false
  const core = net.core(leader)
  const config = core.status().configuration
  const id = net.random.pick(IDS)
  let change: ConfigChange
  if (config.voters.some(m => m.id === id)) {
    if (config.voters.length <= 3) return false
    change = net.random.chance(0.5) ? { type: 'demote', id } : { type: 'remove', id }
  } else if (config.nonVoters.some(m => m.id === id)) {
    change = net.random.chance(0.7) ? { type: 'promote', id } : { type: 'remove', id }
  } else {
    change = { type: 'addNonVoter', id, address: `${id}:7000` }
  }
  const result = core.proposeConfigChange(change)
  net.processReady(leader)
  return result.ok
}

/**
 * One randomized run: random ticks, deliveries (reordered, duplicated,
 * dropped), partitions, crashes with restarts, compactions and proposals,
 * with every safety invariant checked after every step. Then the faults
 * stop and the cluster must converge.
 */
export function runSeed (seed: number, steps: number): RunStats {
  const net = Network.create(IDS, { electionTicks: 5, maxEntriesPerMsg: 3, maxInflight: 3 }, seed)
  const checker = new InvariantChecker(net)
  net.onStep = () => checker.check()
  const rnd = net.random
  net.dropRate = 0.1
  let proposals = 0
  let restarts = 0
  let compactions = 0
  let configChanges = 0
  for (let step = 0; step < steps; step++) {
    const roll = rnd.float()
    if (roll < 0.4) {
      const batch = rnd.shuffle(net.queue)
      net.queue = []
      for (const m of batch) {
        net.deliver(m)
        if (rnd.chance(0.05)) net.deliver(m)
      }
    } else if (roll < 0.7) {
      net.tick(rnd.pick(IDS))
    } else if (roll < 0.85) {
      const leader = net.leader()
      if (leader !== undefined && net.core(leader).propose(bytes(`s${seed}-${proposals}`)).ok) proposals++
      if (leader !== undefined) net.processReady(leader)
      checker.check()
    } else if (roll < 0.9) {
      net.heal()
      if (rnd.chance(0.5)) {
        const shuffled = rnd.shuffle([...IDS])
        const cut = rnd.int(1, 2)
        net.partition(shuffled.slice(0, cut), shuffled.slice(cut))
      }
    } else if (roll < 0.93) {
      net.restart(rnd.pick(IDS), { electionTicks: 5, maxEntriesPerMsg: 3, maxInflight: 3 })
      restarts++
      checker.check()
    } else if (roll < 0.95) {
      const id = rnd.pick(IDS)
      const node = net.node(id)
      const last = node.applied[node.applied.length - 1]
      if (last !== undefined && last.index - 2 > node.storage.snapshotMetadata().index) {
        net.compact(id, last.index - 2)
        compactions++
      }
      checker.check()
    } else if (roll < 0.97) {
      if (proposeRandomChange(net)) configChanges++
      checker.check()
    } else {
      for (const id of IDS) net.tick(id)
    }
  }
  // Faults stop: the cluster elects a leader, commits, and every node applies the same sequence.
  net.heal()
  net.dropRate = 0
  // A proposal may be lost to a leader change (a removed or deposed leader); retry until one commits.
  let expected: string[] = []
  let leader: string | undefined
  for (let attempt = 0; attempt < 20; attempt++) {
    for (let round = 0; round < 200 && net.leader() === undefined; round++) net.run(1)
    leader = net.leader()
    if (leader === undefined) throw new Error(`seed ${seed}: no leader after the faults stopped`)
    net.core(leader).propose(bytes(`final-${attempt}`))
    net.run(30)
    leader = net.leader() ?? leader
    expected = net.appliedData(leader)
    if (expected.some(d => d.startsWith('final-'))) break
  }
  expect(expected.some(d => d.startsWith('final-')), `seed ${seed}: nothing commits after the faults stopped`).to.equal(true)
  const members = memberIds(net.core(leader as string).status().configuration)
  if (process.env.CHAOS_DEBUG !== undefined) {
    for (const id of IDS) {
      const st = net.core(id).status()
      console.log(id, st.role, st.term, st.leaderId, st.commit, st.applied, st.lastIndex, st.configurationIndex, memberIds(st.configuration).join(','),
        [...st.progress.entries()].map(([k, v]) => `${k}:${v.state}/${v.match}/${v.next}/${String(v.recentActive)}`).join(' '))
    }
  }
  for (const id of members) expect(net.appliedData(id), `seed ${seed} node ${id}`).to.deep.equal(expected)
  const snapshots = IDS.reduce((n, id) => n + net.node(id).readies.filter(rd => rd.snapshot !== undefined).length, 0)
  const terms = Math.max(...IDS.map(id => net.core(id).status().term))
  return { checks: checker.checks, applied: expected.length, restarts, compactions, snapshots, terms, configChanges }
}

