import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { waitFor } from '@clusterfunk/core'
import { median, printFigure, quantile, type BenchOptions } from '@clusterfunk/core/bench'
import { createCluster, type Cluster } from '../src/index.js'

/**
 * Requests between members on loopback: two nodes in this process with a
 * cluster token (each call carries the HMAC peer proof), node a calling
 * node b's `echo` handler with 64 bytes, one call at a time, after a
 * warm-up. `request.p50` and `request.p99` in ms.
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const calls = options.tiny ? 20 : 2_000
  const warmup = options.tiny ? 5 : 200
  const dirs: string[] = []
  const nodes: Cluster[] = []
  try {
    for (const id of ['a', 'b']) {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-bench-req-'))
      dirs.push(dataDir)
      const node = createCluster({
        name: 'bench', nodeId: id, dataDir, zeroconf: false, swimPort: 0, swimPreset: 'local', shards: 64, token: 'bench-request-token',
        ...(nodes[0] === undefined ? {} : { join: [nodes[0].swimAddress()] })
      })
      nodes.push(node)
      await node.start()
    }
    const [a, b] = nodes as [Cluster, Cluster]
    b.handle('echo', payload => payload)
    await waitFor(() => a.endpoint('b', 'clusterfunk.management') !== undefined, { timeoutMs: 30_000, what: 'b in a\'s view' })
    const payload = new Uint8Array(64)
    for (let i = 0; i < warmup; i++) await a.request('b', 'echo', payload)
    const times: number[] = []
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now()
      await a.request('b', 'echo', payload)
      times.push(performance.now() - t0)
    }
    report({ bench: 'request.p50', value: median(times), unit: 'ms', goal: 1, better: 'lower' })
    report({ bench: 'request.p99', value: quantile(times, 0.99), unit: 'ms', better: 'lower' })
  } finally {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  }
}
