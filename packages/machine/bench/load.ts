/**
 * The load drivers: redis-benchmark (for our cluster and Redis) and a
 * closed-loop driver with the same model for a Node client (etcd): `clients`
 * callers, each with one request in flight, until `total` requests are done.
 */
import { execFile } from 'node:child_process'
import { quantile } from '@clusterfunk/core/bench'

export interface LoadResult { rps: number, p50: number, p99: number }

/** Runs `redis-benchmark --csv` against 127.0.0.1:`port` with `args`; its one test's figures. */
export async function redisBenchmark (port: number, args: string[]): Promise<LoadResult> {
  const out = await new Promise<string>((resolve, reject) => {
    execFile('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '--csv', '-P', '1', ...args], { timeout: 600_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`redis-benchmark ${args.join(' ')}: ${err.message} ${stderr}`))
      else resolve(stdout)
    })
  })
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const row = out.trim().split('\n').pop()?.split(',').map(s => s.replace(/"/g, '')) ?? []
  const result = { rps: Number(row[1]), p50: Number(row[4]), p99: Number(row[6]) }
  if (!Object.values(result).every(Number.isFinite)) throw new Error(`redis-benchmark ${args.join(' ')}: no figures in its output: ${out.slice(0, 500)}`)
  return result
}

/** redis-benchmark's key space with `-r 100000`: `key:` and a 12-digit number. */
export function randomKey (): Buffer {
  return Buffer.from(`key:${String(Math.floor(Math.random() * 100_000)).padStart(12, '0')}`)
}

/**
 * `clients` concurrent callers of `op`, each waiting for its reply before
 * the next call, `total` calls in all; throughput and latency percentiles
 * (ms). The first failure fails the run (as redis-benchmark stops).
 */
export async function closedLoop (clients: number, total: number, op: () => Promise<void>): Promise<LoadResult> {
  const latencies = new Float64Array(total)
  let issued = 0
  let done = 0
  const started = performance.now()
  const worker = async (): Promise<void> => {
    while (issued < total) {
      issued++
      const t = performance.now()
      await op()
      latencies[done++] = performance.now() - t
    }
  }
  await Promise.all(Array.from({ length: Math.min(clients, total) }, worker))
  const seconds = (performance.now() - started) / 1000
  const all = Array.from(latencies)
  return { rps: total / seconds, p50: quantile(all, 0.5), p99: quantile(all, 0.99) }
}
