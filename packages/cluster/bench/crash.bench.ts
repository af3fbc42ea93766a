import { waitFor } from '@clusterfunk/core'
import { median, printFigure, type BenchOptions, type Figure } from '@clusterfunk/core/bench'
import type { ClusterTiming } from '../src/index.js'
import { BenchCluster, operationalWithout, wallNow, type BenchNode } from './kit.js'

/**
 * Crash recovery: five nodes, each a process of its own on 127.0.0.1
 * (the cluster's `fast` timing preset, or `stable` — the default — when
 * asked: its figures are named `cluster.crash.stable.*`; SWIM `local`),
 * 10 000 shards. Each trial kills one node with SIGKILL and times, from
 * just before the signal, until every survivor holds a committed map
 * without it and is Operational (each node stamps its events with its
 * wall clock, to the microsecond; the processes share the machine's
 * clock). The victim then restarts from its data directory on its ports
 * and the next trial waits until all five are Operational on one map again.
 */
const SIZE = 5
const FOLLOWER_TRIALS = 10
/** Leader crashes: as many trials as fit in this budget, at least MIN_LEADER_TRIALS. */
const LEADER_BUDGET_MS = 120_000
const MIN_LEADER_TRIALS = 5
const MAX_LEADER_TRIALS = 30

interface Trial {
  /** Kill → every survivor Operational on a map without the victim. */
  total: number
  /** Kill → the (new) leader's failure detectors drop the victim: its liveness checker's `node:dead`, or SWIM's failure (`node:leave`), whichever came first. */
  detect: number | undefined
  /** Kill → a survivor knows a new leader (leader crashes only). */
  elect: number | undefined
}

async function crash (c: BenchCluster, victim: BenchNode, leaderBefore: BenchNode): Promise<Trial> {
  const survivors = c.live().filter(n => n !== victim)
  const marks = new Map(survivors.map(n => [n, { from: n.events.length, state: n.state }]))
  const killedAt = victim.kill9()
  await victim.exited
  const done = await waitFor(() => {
    const times: number[] = []
    for (const [n, m] of marks) {
      const t = operationalWithout(n, m.from, victim.id, m.state)
      if (t === undefined) return undefined
      times.push(t)
    }
    return Math.max(...times)
  }, { timeoutMs: 20_000, intervalMs: 5, what: `every survivor Operational without ${victim.id}` })
  const newLeader = victim === leaderBefore ? await c.leader() : leaderBefore
  const dead = newLeader.find(marks.get(newLeader)?.from ?? 0, e => (e.event === 'node:dead' || e.event === 'node:leave') && e.nodeId === victim.id)
  const elected = victim === leaderBefore
    ? Math.min(...survivors.map(n => n.find(marks.get(n)?.from ?? 0, e => e.event === 'leader' && e.leaderId !== null && e.leaderId !== victim.id)?.t ?? Infinity))
    : undefined
  return {
    total: done - killedAt,
    detect: dead === undefined ? undefined : dead.t - killedAt,
    elect: elected === undefined || !Number.isFinite(elected) ? undefined : elected - killedAt
  }
}

/**
 * Starts the victim again and waits until all the nodes are Operational on
 * one map of them all; false when that does not happen within 8 s. A
 * restarted node can stay left out: the liveness checker hears it at once
 * and the leader proposes a map with it, but its ack misses the 500 ms ack
 * timeout (the leader's Raft stream to it is still in its reconnect
 * back-off; see the README's Figures), the leader commits a map without
 * it, and no new `node:alive` lets it back in. The caller then starts a
 * fresh cluster: this is setup, never part of a measured trial.
 */
async function restore (c: BenchCluster, victim: BenchNode, ids: readonly string[]): Promise<boolean> {
  const back = c.launch(victim.id)
  await back.ready()
  try {
    await c.agreed(ids, 8_000)
    return true
  } catch {
    return false
  }
}

function defined (values: Array<number | undefined>): number[] {
  return values.filter((v): v is number => v !== undefined)
}

export async function run (options: BenchOptions, timing: ClusterTiming = 'fast'): Promise<void> {
  // The goals are the fast preset's; the stable preset's figures say what the defaults give.
  const fast = timing === 'fast'
  const name = (figure: string): string => fast ? `cluster.crash.${figure}` : `cluster.crash.stable.${figure}`
  const goal = (ms: number): { goal?: number } => fast ? { goal: ms } : {}
  const out = options.report ?? printFigure
  const report = (f: Figure): void => { out({ ...f, bench: name(f.bench) }) }
  const ids = Array.from({ length: options.tiny ? 3 : SIZE }, (_, i) => `n${i + 1}`)
  const start = async (): Promise<BenchCluster> => await BenchCluster.start({ size: ids.length, shards: options.tiny ? 1_024 : 10_000, timing })
  let c = await start()
  try {
    let restarts = 0
    let stuck = 0
    const restored = async (victim: BenchNode): Promise<void> => {
      restarts++
      if (await restore(c, victim, ids)) return
      stuck++
      await c.close()
      c = await start()
    }
    const followers: Trial[] = []
    const followerTrials = options.tiny ? 1 : FOLLOWER_TRIALS
    for (let i = 0; i < followerTrials; i++) {
      const leader = await c.leader()
      const others = c.live().filter(n => n !== leader)
      const victim = others[i % others.length] as BenchNode
      followers.push(await crash(c, victim, leader))
      await restored(victim)
    }
    const figures: Figure[] = [
      { bench: 'follower', value: median(followers.map(t => t.total)), unit: 'ms', ...goal(1000), better: 'lower' },
      { bench: 'follower.max', value: Math.max(...followers.map(t => t.total)), unit: 'ms', better: 'lower' },
      { bench: 'follower.detect', value: median(defined(followers.map(t => t.detect))), unit: 'ms', better: 'lower' },
      { bench: 'follower.reshard', value: median(defined(followers.map(t => t.detect === undefined ? undefined : t.total - t.detect))), unit: 'ms', better: 'lower' }
    ]
    for (const f of figures) report(f)

    const leaders: Trial[] = []
    const started = wallNow()
    const most = options.tiny ? 1 : MAX_LEADER_TRIALS
    const least = options.tiny ? 1 : MIN_LEADER_TRIALS
    while (leaders.length < most && (leaders.length < least || wallNow() - started < LEADER_BUDGET_MS)) {
      const leader = await c.leader()
      leaders.push(await crash(c, leader, leader))
      await restored(leader)
    }
    report({ bench: 'leader', value: median(leaders.map(t => t.total)), unit: 'ms', ...goal(1500), better: 'lower' })
    report({ bench: 'leader.max', value: Math.max(...leaders.map(t => t.total)), unit: 'ms', better: 'lower' })
    report({ bench: 'leader.elect', value: median(defined(leaders.map(t => t.elect))), unit: 'ms', better: 'lower' })
    report({ bench: 'leader.detect', value: median(defined(leaders.map(t => t.detect))), unit: 'ms', better: 'lower' })
    report({ bench: 'leader.trials', value: leaders.length, unit: 'trials', better: 'higher' })
    report({ bench: 'rejoin.stuck', value: restarts === 0 ? 0 : 100 * stuck / restarts, unit: '%', better: 'lower' })
  } finally {
    await c.close()
  }
}
