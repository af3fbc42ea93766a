import { waitFor } from '@clusterfunk/core'
import { median, printFigure, type BenchOptions } from '@clusterfunk/core/bench'
import { BenchCluster, type BenchNode, type NodeEvent } from './kit.js'

/**
 * Joins and reshards, every node a process of its own on 127.0.0.1
 * (timings in kit.ts), 10 000 shards.
 *
 * Joins: four nodes; each trial starts a fifth with a fresh data directory
 * and id, joining through SWIM, and times from the leader's `node:join` for
 * it until every one of the five holds a committed map including it. The
 * leader's `reshard:done` of that map is reported as `cluster.reshard.join`
 * (it includes the new node catching up the Raft log before it can ack).
 * The fifth node then stops gracefully (`cluster.reshard.leave`, four
 * nodes) and the next trial starts another. One unmeasured warm-up first.
 *
 * Reshards: a fifth node joins for good; each trial freezes a follower
 * (SIGSTOP) until the other four committed a map without it, thaws it, and
 * takes the leader's `reshard:done` of the map of all five: from appending
 * the proposal to applying its commit on the leader, every node's ack in
 * between (`cluster.reshard.10000`).
 */
const BASE = 4
const TRIALS = 10
const RESHARD_TRIALS = 10

interface Trial {
  /** Leader's node:join → every node holds a committed map including the new node. */
  join: number
  /** Leader's node:join → the new node sees itself in the Raft group. */
  add: number
  /** The leader's reshard:done of the map including the new node. */
  reshard: NodeEvent
  /** The leader's reshard:done of the map after the new node left. */
  leave: NodeEvent
}

async function trial (c: BenchCluster, id: string, base: readonly string[]): Promise<Trial> {
  const leader = await c.leader()
  const marks = new Map(c.live().map(n => [n, n.events.length]))
  const from = marks.get(leader) ?? 0
  const joiner = await c.add(id)
  marks.set(joiner, 0)
  const everyone = [...base, id]
  const done = await waitFor(() => {
    const times: number[] = []
    for (const [n, m] of marks) {
      const e = n.find(m, x => x.event === 'shards' && (x.members as string[]).includes(id))
      if (e === undefined) return undefined
      times.push(e.t)
    }
    return Math.max(...times)
  }, { timeoutMs: 30_000, intervalMs: 5, what: `every node to commit a map with ${id}` })
  const seen = leader.find(from, e => e.event === 'node:join' && e.nodeId === id)
  if (seen === undefined) throw new Error(`the leader ${leader.id} never reported ${id} joining`)
  const version = joiner.version
  const reshard = await waitFor(() => leader.find(from, e => e.event === 'reshard' && e.version === version), { timeoutMs: 5_000, what: `the leader's reshard:done of version ${version}` })
  const added = joiner.find(0, e => e.event === 'role' && (e.role === 'Follower' || e.role === 'NonVoter'))
  await c.agreed(everyone)
  const leaveFrom = leader.events.length
  await joiner.stop()
  c.forget(id)
  await c.agreed(base)
  const leave = await waitFor(() => leader.find(leaveFrom, e => e.event === 'reshard' && e.nodes === base.length), { timeoutMs: 5_000, what: 'the leader\'s reshard:done without the node that left' })
  return { join: done - seen.t, add: added === undefined ? Number.NaN : added.t - seen.t, reshard, leave }
}

/**
 * Reshards of a warm cluster of five: a follower is frozen (SIGSTOP) until
 * the leader's liveness checker declares it dead and the other four commit
 * a map without it, then thawed (SIGCONT); the checker hears it again and
 * the leader proposes the map of all five, every node already holding the
 * log. Returns the leader's reshard:done of that proposal.
 */
async function pauseTrial (c: BenchCluster, victim: BenchNode, all: readonly string[]): Promise<NodeEvent> {
  const leader = await c.leader()
  const others = c.live().filter(n => n !== victim)
  const rest = all.filter(id => id !== victim.id)
  const from = leader.events.length
  victim.pause()
  try {
    await waitFor(() => leader.find(from, e => e.event === 'node:dead' && e.nodeId === victim.id), { timeoutMs: 10_000, what: `the leader to declare ${victim.id} dead` })
    await c.agreed(rest, 10_000, others)
  } finally {
    victim.resume()
  }
  const back = leader.events.length
  const done = await waitFor(() => leader.find(back, e => e.event === 'reshard' && e.nodes === all.length), { timeoutMs: 10_000, what: 'the leader\'s reshard:done with every node' })
  await c.agreed(all, 10_000)
  return done
}

export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const base = Array.from({ length: options.tiny ? 2 : BASE }, (_, i) => `n${i + 1}`)
  const c = await BenchCluster.start({ size: base.length, shards: options.tiny ? 1_024 : 10_000 })
  try {
    if (!options.tiny) await trial(c, 'warmup', base)
    const trials: Trial[] = []
    for (let i = 0; i < (options.tiny ? 1 : TRIALS); i++) trials.push(await trial(c, `j${i + 1}`, base))
    report({ bench: 'cluster.join', value: median(trials.map(t => t.join)), unit: 'ms', goal: 200, better: 'lower' })
    report({ bench: 'cluster.join.max', value: Math.max(...trials.map(t => t.join)), unit: 'ms', better: 'lower' })
    report({ bench: 'cluster.join.raft', value: median(trials.map(t => t.add)), unit: 'ms', better: 'lower' })
    report({ bench: 'cluster.reshard.join', value: median(trials.map(t => t.reshard.durationMs as number)), unit: 'ms', better: 'lower' })
    report({ bench: 'cluster.reshard.leave', value: median(trials.map(t => t.leave.durationMs as number)), unit: 'ms', better: 'lower' })

    const all = [...base, 'p5']
    await c.add('p5')
    await c.agreed(all)
    const reshards: NodeEvent[] = []
    for (let i = 0; i < (options.tiny ? 1 : RESHARD_TRIALS); i++) {
      const leader = await c.leader()
      const followers = c.live().filter(n => n !== leader)
      reshards.push(await pauseTrial(c, followers[i % followers.length] as BenchNode, all))
    }
    report({ bench: 'cluster.reshard.10000', value: median(reshards.map(r => r.durationMs as number)), unit: 'ms', goal: 50, better: 'lower' })
    report({ bench: 'cluster.reshard.10000.acked', value: median(reshards.map(r => r.ackedMs as number)), unit: 'ms', better: 'lower' })
    report({ bench: 'cluster.reshard.10000.max', value: Math.max(...reshards.map(r => r.durationMs as number)), unit: 'ms', better: 'lower' })
  } finally {
    await c.close()
  }
}
