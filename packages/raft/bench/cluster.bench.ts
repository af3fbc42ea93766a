import { waitFor } from '@clusterfunk/core'
import { median, printFigure, type BenchOptions } from '@clusterfunk/core/bench'
import { ProcessCluster, type NodeProcess } from '../test/helpers/process-cluster.js'

/**
 * Three Raft nodes as separate processes over gRPC on 127.0.0.1, each with
 * a classic-level log written with `sync: true`, and a small KV state
 * machine. Proposers run inside the leader's process (`load` in
 * test/fixtures/node.ts), so the figures measure Raft, not a client
 * protocol: 16-byte commands, each timed from `apply()` to its result.
 */
const CONCURRENCY = [1, 64, 1000] as const

/** The error with what every process did (exit code or signal, end of stderr) appended. */
function explained (err: unknown, c: ProcessCluster): Error {
  const message = err instanceof Error ? err.message : String(err)
  return new Error(`${message}\n${c.describe()}`, { cause: err })
}

async function appliedAtLeast (n: NodeProcess, index: number, timeoutMs: number): Promise<void> {
  await waitFor(async () => { const s = await n.request('stats', {}, 5000); return s.ok && (s.applied as number) >= index }, { timeoutMs, intervalMs: 20, what: `${n.id} to apply ${index}` })
}

async function throughput (options: BenchOptions, report: (f: Parameters<typeof printFigure>[0]) => void): Promise<void> {
  const c = await ProcessCluster.start({ size: 3, preset: 'fast' })
  try {
    const leader = await c.leader()
    for (const concurrency of CONCURRENCY) {
      const n = options.tiny ? concurrency * 2 : concurrency === 1 ? 2000 : concurrency === 64 ? 30_000 : 60_000
      if (!options.tiny) await leader.request('load', { n: Math.min(n, 2000), concurrency }, 120_000) // warm-up
      const r = await leader.request('load', { n, concurrency }, 300_000)
      if (!r.ok) throw new Error(`load failed: ${String(r.message ?? r.error)}`)
      if ((r.failed as number) > 0 || (r.writes as number) === 0) throw new Error(`load at concurrency ${concurrency}: ${String(r.writes)} writes done, ${String(r.failed)} failed (${JSON.stringify(r.errors)})`)
      report({ bench: `raft.writes.${concurrency}`, value: r.writesPerSec as number, unit: 'writes/s', ...(concurrency === 1000 ? { goal: 8500 } : {}), better: 'higher' })
      report({ bench: `raft.p50.${concurrency}`, value: r.p50 as number, unit: 'ms', ...(concurrency === 1 ? { goal: 1 } : {}), better: 'lower' })
      report({ bench: `raft.p99.${concurrency}`, value: r.p99 as number, unit: 'ms', ...(concurrency === 1000 ? { goal: 100 } : {}), better: 'lower' })
    }
  } catch (err) {
    throw explained(err, c)
  } finally {
    await c.close()
  }
}

async function failover (options: BenchOptions, report: (f: Parameters<typeof printFigure>[0]) => void): Promise<void> {
  const c = await ProcessCluster.start({ size: 3, preset: 'fast' })
  const times: number[] = []
  try {
    const trials = options.tiny ? 1 : 10
    for (let t = 0; t < trials; t++) {
      const leader = await c.leader()
      void leader.request('load', { n: 1_000_000, concurrency: 16 }, 120_000)
      await waitFor(async () => ((await leader.request('stats')).commit as number) > 0, { timeoutMs: 5000 })
      const seen = new Map([...c.nodes.values()].map(n => [n.id, n.events.length]))
      const killedAt = Date.now()
      leader.kill9()
      await leader.exited
      const ready = await waitFor(() => {
        for (const n of c.nodes.values()) {
          if (n === leader) continue
          const e = n.events.slice(seen.get(n.id)).find(x => x.event === 'leaderReady')
          if (e !== undefined) return e
        }
        return undefined
      }, { timeoutMs: 10_000, intervalMs: 2, what: 'a new leader to commit' })
      times.push((ready.wall as number) - killedAt)
      const back = c.launch(leader.id)
      await back.ready()
      const commit = (await (await c.leader()).request('stats')).commit as number
      await appliedAtLeast(back, commit, 30_000)
    }
    report({ bench: 'raft.failover', value: median(times), unit: 'ms', goal: 400, better: 'lower' })
  } catch (err) {
    throw explained(err, c)
  } finally {
    await c.close()
  }
}

async function catchUp (options: BenchOptions, report: (f: Parameters<typeof printFigure>[0]) => void): Promise<void> {
  const c = await ProcessCluster.start({ size: 3, preset: 'fast', ...(options.tiny ? { snapshotThreshold: 100, trailingLogs: 20 } : {}) })
  try {
    const leader = await c.leader()
    const victim = [...c.nodes.values()].find(n => n !== leader) as NodeProcess
    victim.kill9()
    await victim.exited
    const r = await leader.request('load', { n: options.tiny ? 500 : 100_000, concurrency: 1000 }, 300_000)
    if (!r.ok) throw new Error('load failed')
    const commit = (await leader.request('stats')).commit as number
    const back = c.launch(victim.id)
    await back.ready()
    const started = performance.now()
    await appliedAtLeast(back, commit, 120_000)
    const seconds = (performance.now() - started) / 1000
    const s = await back.request('stats')
    if ((s.restores as number) < 1) throw new Error('the follower caught up without a snapshot')
    report({ bench: 'raft.catchup.100k', value: seconds, unit: 's', better: 'lower' })
  } catch (err) {
    throw explained(err, c)
  } finally {
    await c.close()
  }
}

export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  await throughput(options, report)
  await failover(options, report)
  await catchUp(options, report)
}
