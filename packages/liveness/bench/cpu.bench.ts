import { delay, waitFor } from '@clusterfunk/core'
import { printFigure, type BenchOptions, type Figure } from '@clusterfunk/core/bench'
import { LivenessChecker } from '../src/index.js'
import { killResponder, spawnResponder } from '../test/fixtures/spawn.js'

const INTERVAL_MS = 100
const KEY = 'liveness-bench-key-0123456789'

/**
 * The checker's CPU with 1 000 nodes probed every 100 ms. The endpoints run
 * in a child process, so `process.cpuUsage()` here is the checker's alone.
 * The replies/s achieved are reported beside it: a CPU figure is only
 * honest if every node really was probed and answered each interval.
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  await measure(options, report, undefined, '')
  await measure(options, report, KEY, '.hmac')
}

async function measure (options: BenchOptions, report: (f: Figure) => void, key: string | undefined, suffix: string): Promise<void> {
  const nodes = options.tiny ? 20 : 1000
  const warmupMs = options.tiny ? 200 : 3_000
  const windowMs = options.tiny ? 500 : 12_000
  const responder = await spawnResponder({ id: 'cpu', count: nodes, ...(key === undefined ? {} : { key }) })
  const checker = new LivenessChecker({}, { intervalMs: INTERVAL_MS, ...(key === undefined ? {} : { key }) })
  try {
    responder.ports.forEach((port, i) => { checker.add(`cpu-${i}`, { host: '127.0.0.1', port }) })
    await checker.start()
    await waitFor(() => checker.nodes().every(n => n.state === 'alive'), { timeoutMs: 30_000, what: 'every node alive' })
    await delay(warmupMs) // steady state: JIT warm, RTT averages settled
    const s0 = checker.stats()
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    await delay(windowMs)
    const cpu = process.cpuUsage(cpu0)
    const seconds = (performance.now() - t0) / 1000
    const s1 = checker.stats()
    const percent = (cpu.user + cpu.system) / 1e6 / seconds * 100
    report({ bench: `liveness.checker.cpu.1000${suffix}`, value: percent, unit: '%', ...(suffix === '' ? { goal: 10 } : {}), better: 'lower' })
    report({ bench: `liveness.checker.replies_per_s.1000${suffix}`, value: (s1.replies - s0.replies) / seconds, unit: '1/s', goal: nodes * 1000 / INTERVAL_MS * 0.99, better: 'higher' })
    report({ bench: `liveness.checker.timeouts_per_s.1000${suffix}`, value: (s1.timeouts - s0.timeouts) / seconds, unit: '1/s', better: 'lower' })
  } finally {
    await checker.stop()
    await killResponder(responder)
  }
}
