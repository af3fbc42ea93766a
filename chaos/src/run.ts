import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createRandom } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import { ackedKeys, lostAckedWrites, mapViolations, recovered, servingViolations, staleReads, type Violation } from './checks.js'
import { ChaosCluster, type Placement } from './cluster.js'
import { RESTART_FAULTS, availableFaults, injectFault, type FaultRecord } from './faults.js'
import type { NetLab } from './lab.js'
import { Load } from './load.js'
import type { ChaosOptions } from './options.js'

/** What one seed's run found. */
export interface RunResult {
  seed: number
  faults: FaultRecord[]
  violations: Violation[]
  /** Served requests whose map the harness knew, so the owner checks ran on them. */
  checkedRequests: number
  requests: number
  statuses: Record<string, number>
  crashes: number
  elections: number
  falseDead: number
  /** Share of node-time spent Operational after the cluster first formed. */
  operationalFraction: number
  /** Keys whose newest acknowledged put was not there when read back after the run (see `lostAckedWrites`). */
  lostWrites: Violation[]
  /** Keys with an acknowledged put, all of them read back after the run. */
  ackedKeys: number
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const since = (from: number, to: number | undefined): number | undefined => to === undefined ? undefined : to - from

/** Waits until `cond()` or `untilMs` (performance.now()); resolves with when it held, or undefined. */
async function until (cond: () => boolean, untilMs: number): Promise<number | undefined> {
  for (;;) {
    if (cond()) return performance.now()
    if (performance.now() >= untilMs) return undefined
    await sleep(20)
  }
}

async function placements (options: ChaosOptions, lab: NetLab | undefined): Promise<Placement[]> {
  if (lab !== undefined) {
    // Each node has an address of its own: the same ports everywhere.
    const ports = { http: 8080, swim: 7946, raft: 7000, liveness: 7001, mgmt: 7002 }
    return lab.hosts.map((h, i) => ({ id: `n${i + 1}`, ports, launch: { host: h.ip, prefix: lab.prefixFor(i), bundled: !options.unbundled } }))
  }
  const free = await freePorts(5 * options.nodes)
  return Array.from({ length: options.nodes }, (_, i) => {
    const [http, swim, raft, liveness, mgmt] = free.slice(5 * i, 5 * i + 5) as [number, number, number, number, number]
    return { id: `n${i + 1}`, ports: { http, swim, raft, liveness, mgmt }, launch: { bundled: !options.unbundled } }
  })
}

/**
 * Node-time in Operational over node-time, from `from` to `to`, from the
 * state history of each node's processes: a process's last state lasts
 * until the next process of that node starts (or `to`).
 */
function operationalFraction (cluster: ChaosCluster, from: number, to: number): number {
  let operational = 0
  for (const n of cluster.nodes) {
    const h = [...n.earlier, n.process.history].flat().filter(s => s.t <= to)
    for (const [i, s] of h.entries()) {
      const next = h[i + 1]?.t ?? to
      const a = Math.max(from, s.t)
      const b = Math.min(to, next)
      if (b > a && s.state === 'Operational') operational += b - a
    }
  }
  return operational / (cluster.nodes.length * (to - from))
}

/**
 * One seed: start the nodes, wait until they formed (every node
 * Operational on one map of all), then — unless `idle` — inject a fault,
 * hold it, undo it and time the recovery, again and again until the
 * duration is spent, under a request load. Then stop everything and check.
 */
export async function runSeed (seed: number, options: ChaosOptions, lab: NetLab | undefined, log: (line: string) => void): Promise<RunResult> {
  const random = createRandom(seed)
  const root = await mkdtemp(path.join(os.tmpdir(), `chaos-${seed}-`))
  const cluster = new ChaosCluster(root, await placements(options, lab), ['--replication-factor', String(options.replicationFactor), ...options.nodeArgs])
  const load = new Load(cluster, random.fork(), { workers: 4, keysPerWorker: 16, pauseMs: 25, timeoutMs: 3_000 })
  const faults: FaultRecord[] = []
  try {
    const formed = await until(() => recovered(cluster.view(), cluster.ids), performance.now() + 60_000)
    if (formed === undefined) throw new Error(`the ${options.nodes} nodes did not form one cluster within 60 s: ${JSON.stringify([...cluster.view()])}`)
    log(`chaos: seed ${seed}: ${options.nodes} nodes formed; ${options.idle ? 'idle' : 'faults and load'} for ${options.durationMs / 1000} s`)
    const end = formed + options.durationMs
    const kinds = availableFaults(lab)
    if (!options.idle) load.start()
    while (!options.idle && performance.now() < end) {
      const gap = random.int(5_000, 15_000)
      const fault = await injectFault(cluster, lab, kinds, random)
      const at = await until(() => recovered(cluster.view(), cluster.ids), fault.back + options.recoveryBoundMs)
      const record: FaultRecord = { ...fault, recoveryMs: at === undefined ? undefined : at - fault.back }
      if (RESTART_FAULTS.has(fault.kind)) {
        const { process: p } = cluster.node(fault.victim)
        record.restart = { loadedMs: since(p.spawnedAt, p.startingAt), readyMs: since(p.spawnedAt, p.readyAt) }
      }
      faults.push(record)
      const started = record.restart === undefined ? '' : ` (process loaded in ${record.restart.loadedMs?.toFixed(0) ?? '?'} ms, ready in ${record.restart.readyMs?.toFixed(0) ?? '?'} ms)`
      log(`  ${record.kind.padEnd(13)} ${record.victim.padEnd(4)} held ${String(record.holdMs).padStart(5)} ms → ${record.recoveryMs === undefined ? 'NOT recovered' : `recovered in ${record.recoveryMs.toFixed(0)} ms`}${started}`)
      await sleep(Math.max(0, Math.min(end - performance.now(), fault.at + gap - performance.now(), 1_000_000)))
    }
    if (options.idle) await sleep(Math.max(0, end - performance.now()))
    await load.stop()
    const to = performance.now()
    const fraction = operationalFraction(cluster, formed, to)
    const { sightings } = cluster
    const serving = servingViolations(load.records, sightings.maps, sightings.commits)
    const violations = [...mapViolations(sightings.digests), ...serving.violations, ...staleReads(load.records)]
    // Read every acknowledged key back once the cluster is whole again.
    const keys = ackedKeys(load.records)
    await until(() => recovered(cluster.view(), cluster.ids), performance.now() + options.recoveryBoundMs)
    const readBack = await load.readBack(keys, performance.now() + 30_000)
    const lostWrites = lostAckedWrites(load.records, readBack)
    for (const v of lostWrites.slice(0, 5)) log(`  lost write: ${v.detail}`)
    return {
      lostWrites,
      ackedKeys: keys.length,
      seed,
      faults,
      violations,
      checkedRequests: serving.checked,
      requests: load.records.length,
      statuses: load.statusCounts(),
      crashes: cluster.nodes.reduce((sum, n) => sum + n.crashes, 0),
      elections: sightings.elections.filter(t => t >= formed).length,
      falseDead: sightings.falseDead.filter(d => d.at >= formed).length,
      operationalFraction: fraction
    }
  } finally {
    await load.stop()
    for (const n of cluster.nodes) {
      n.down = true
      if (n.paused) n.process.child.kill('SIGCONT')
    }
    await Promise.all(cluster.nodes.map(async n => { await n.process.terminate(10_000) }))
    await rm(root, { recursive: true, force: true })
  }
}
