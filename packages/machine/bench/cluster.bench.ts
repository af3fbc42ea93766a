/**
 * Three members as processes (fsync on, loopback), driven by
 * redis-benchmark: single-client SET latency, writes and linearizable reads
 * at 1 000 clients, and failover (kill -9 of the leader → the first SET
 * that succeeds through a client trying every survivor).
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { printFigure, type BenchOptions } from '@clusterfunk/core/bench'
import { freePorts } from '@clusterfunk/core/testing'
import { MachineProcess, ensureRedisTools, redisCli } from '../src/testing.js'

const APP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kv-app.js')

interface Csv { rps: number, p50: number, p99: number }

async function redisBenchmark (port: number, args: string[]): Promise<Csv> {
  const out = await new Promise<string>((resolve, reject) => {
    execFile('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '--csv', ...args], { timeout: 600_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`redis-benchmark: ${err.message} ${stderr}`))
      else resolve(stdout)
    })
  })
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const row = out.trim().split('\n').pop()?.split(',').map(s => s.replace(/"/g, '')) ?? []
  return { rps: Number(row[1]), p50: Number(row[4]), p99: Number(row[6]) }
}

async function until (limitMs: number, fn: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + limitMs
  while (true) {
    try { if (await fn()) return } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error('the cluster did not form')
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/**
 * `preset` is the Raft timing of the members: `default` (election 1–2 s)
 * unless MACHINE_BENCH_PRESET=fast. On a machine busy with other work the
 * fast preset's 150–300 ms election timeout is missed under 1 000 clients,
 * leadership moves, and redis-benchmark stops at the first error.
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const preset = process.env.MACHINE_BENCH_PRESET === 'fast' ? 'fast' : 'default'
  ensureRedisTools()
  const dir = await mkdtemp(path.join(os.tmpdir(), 'machine-bench-'))
  const ports = await freePorts(6)
  const procs: MachineProcess[] = []
  const start = (i: number): MachineProcess => {
    const args = ['-n', String(i + 1), '-a', `127.0.0.1:${ports[i]}`, '--raft-port', String(ports[i + 3]), '-d', dir, '--preset', preset, '-l', 'warn']
    if (i > 0) args.push('-j', `127.0.0.1:${ports[0]}`)
    const p = new MachineProcess(APP, args)
    procs[i] = p
    return p
  }
  try {
    start(0)
    await until(30_000, async () => (await redisCli(ports[0] as number, ['RAFT', 'LEADER'])).trim() === `127.0.0.1:${ports[0]}`)
    start(1)
    start(2)
    await until(30_000, async () => { const list = await redisCli(ports[0] as number, ['RAFT', 'SERVER', 'LIST']); return [0, 1, 2].every(i => list.includes(`127.0.0.1:${ports[i]}\n`)) })
    const leader = ports[0] as number
    const n1 = options.tiny ? 200 : 2000
    const one = await redisBenchmark(leader, ['-t', 'set', '-c', '1', '-n', String(n1), '-r', '100000'])
    report({ bench: 'machine.set.p50.1', value: one.p50, unit: 'ms', goal: 1.0, better: 'lower' })
    report({ bench: 'machine.set.p99.1', value: one.p99, unit: 'ms', better: 'lower' })
    const clients = options.tiny ? 50 : 1000
    const n = options.tiny ? 1000 : 30_000
    const writes = await redisBenchmark(leader, ['-t', 'set', '-c', String(clients), '-n', String(n), '-r', '100000'])
    report({ bench: `machine.writes.${clients}`, value: writes.rps, unit: 'writes/s', goal: 12_600, better: 'higher' })
    report({ bench: `machine.writes.p99.${clients}`, value: writes.p99, unit: 'ms', better: 'lower' })
    const reads = await redisBenchmark(leader, ['-t', 'get', '-c', String(clients), '-n', String(n), '-r', '100000'])
    report({ bench: `machine.reads.${clients}`, value: reads.rps, unit: 'reads/s', better: 'higher' })
    // Failover: kill -9 of the leader, then SET through every survivor in turn until one succeeds.
    const killed = Date.now()
    await procs[0]?.kill()
    let first = 0
    while (first === 0 && Date.now() - killed < 30_000) {
      for (const p of ports.slice(1, 3)) {
        const r = await redisCli(p as number, ['SET', 'failover', 'x'], { timeoutMs: 2000 }).catch(() => '')
        if (r.trim() === 'OK') { first = Date.now(); break }
      }
    }
    report({ bench: `machine.failover.${preset}`, value: first === 0 ? NaN : first - killed, unit: 'ms', ...(preset === 'fast' ? { goal: 400 } : {}), better: 'lower' })
  } finally {
    for (const p of procs) await p?.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
