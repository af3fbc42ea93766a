import { createRandom } from '@clusterfunk/core'
import { FuzzCluster } from './cluster.js'
import { PORTS, Tally, type Ctx, type PortName } from './context.js'
import type { ClusterKind, FuzzOptions } from './options.js'
import { dropsTotal, scrape } from './scrape.js'
import { Watcher } from './watch.js'
import { randomAndStructured } from './attacks/inputs.js'
import { floods } from './attacks/floods.js'
import { replays } from './attacks/replays.js'
import { unauthenticated } from './attacks/secured.js'

/** What one cluster's run found. */
export interface ClusterResult {
  kind: ClusterKind
  tally: Tally
  crashes: string[]
  /** Largest RSS growth of a node since its start, whatever the phase (MiB). */
  rssGrowthMb: number
  /** Largest RSS growth of a node under a flood, over its RSS when the flood began (MiB). */
  floodRssGrowthMb: number
  /** RSS per node at the end of each phase (MiB), per cluster started. */
  marks: Array<{ phase: string, rssMb: number[] }>
  /** Operational samples per flood (`name ok/total`), and what the cluster answered when it was not. */
  floods: string[]
  downSamples: string[]
  fdPeak: number
  operationalFraction: number
  /** Samples behind `operationalFraction` (each polls every node once). */
  operationalSamples: number
  drops: number
  dep0123Nodes: number
  nodes: Array<{ id: string, baselineRssMb: number, peakRssMb: number, peakFds: number }>
}

const START_TIMEOUT_MS = 60_000

/**
 * Attacks one cluster until `deadline`: random and structured inputs on
 * every port, floods and oversized claims, and on a secured cluster
 * unauthenticated calls and replays. After each phase the cluster must be
 * Operational again within 20 s; when it is not, that is a stall, and the
 * run goes on with a fresh cluster so one defect does not hide the rest.
 */
export async function attackCluster (kind: ClusterKind, options: FuzzOptions, seed: number, deadline: number, log: (line: string) => void): Promise<ClusterResult> {
  const tally = new Tally()
  const random = createRandom(seed)
  const crashes: string[] = []
  const result: ClusterResult = { kind, tally, crashes, rssGrowthMb: 0, floodRssGrowthMb: 0, marks: [], floods: [], downSamples: [], fdPeak: 0, operationalFraction: 1, operationalSamples: 0, drops: 0, dep0123Nodes: 0, nodes: [] }
  const floodSamples = { ok: 0, total: 0 }
  let cluster = await FuzzCluster.start(kind, options.nodes, START_TIMEOUT_MS)
  let watcher = new Watcher(cluster)
  await watcher.start()
  log(`${kind} cluster: ${cluster.nodes.map(n => `${n.id} pid ${n.process.pid}`).join(', ')}`)

  const settle = (): void => {
    watcher.stop()
    for (const c of cluster.crashed()) crashes.push(`${c.id} (pid ${c.process.pid}) exited ${c.process.exit?.signal ?? `code ${String(c.process.exit?.code)}`}: ${c.process.stderr.trim().split('\n').slice(-3).join(' | ')}`)
    result.rssGrowthMb = Math.max(result.rssGrowthMb, watcher.maxRssGrowthMb())
    result.floodRssGrowthMb = Math.max(result.floodRssGrowthMb, watcher.maxFloodGrowthMb())
    for (const [name, f] of watcher.byFlood) result.floods.push(`${name} ${f.ok}/${f.total}`)
    result.downSamples.push(...watcher.downSamples)
    result.marks.push({ phase: 'start', rssMb: watcher.nodes.map(n => n.baselineRssMb) }, ...watcher.marks)
    result.fdPeak = Math.max(result.fdPeak, watcher.peakFds())
    floodSamples.ok += watcher.operationalSamples.ok
    floodSamples.total += watcher.operationalSamples.total
    result.nodes.push(...watcher.nodes)
    result.dep0123Nodes += cluster.nodes.filter(n => n.process.deprecations.has('DEP0123')).length
  }

  const healthy = async (phase: string): Promise<void> => {
    await watcher.mark(phase)
    try {
      await cluster.waitOperational(20_000)
      return
    } catch (err) {
      tally.stalls++
      tally.finding(`after ${phase}: ${(err as Error).message.split('\n')[0] ?? ''} (${await cluster.describe()})`)
    }
    result.drops += await totalDrops(cluster)
    settle()
    await cluster.stop()
    log(`  ${kind}: restarting the cluster after a stall in ${phase}`)
    cluster = await FuzzCluster.start(kind, options.nodes, START_TIMEOUT_MS)
    watcher = new Watcher(cluster)
    await watcher.start()
  }

  const ctx = (until = deadline): Ctx => ({ cluster, random, options, tally, watcher, deadline: until, log })
  try {
    log(`  ${kind}: random and structured inputs (${options.inputs} per port)`)
    // Inputs get at most 35 % of the time left, so a slow node cannot crowd out the floods and replays.
    await randomAndStructured(ctx(Math.min(deadline, performance.now() + 0.35 * (deadline - performance.now()))))
    await healthy('random and structured inputs')
    if (kind === 'secured') {
      // Before the floods: short, and their figures must not depend on time left over.
      await unauthenticated(ctx())
      await healthy('unauthenticated input')
      await replays(ctx())
      await healthy('replays')
    }
    await floods(ctx())
    await healthy('floods')
  } finally {
    result.drops += await totalDrops(cluster)
    settle()
    await cluster.stop()
  }
  result.operationalFraction = floodSamples.total === 0 ? 1 : floodSamples.ok / floodSamples.total
  result.operationalSamples = floodSamples.total
  return result
}

async function totalDrops (cluster: FuzzCluster): Promise<number> {
  let sum = 0
  for (const n of cluster.nodes) if (n.process.exit === undefined) sum += dropsTotal(await scrape(n.ports.metrics))
  return sum
}

/** Inputs per port of a result, in PORTS order. */
export function inputsByPort (r: ClusterResult): Array<[PortName, number]> {
  return PORTS.map(p => [p, r.tally.inputs.get(p) ?? 0])
}
