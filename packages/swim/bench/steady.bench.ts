import { printFigure, type BenchOptions } from '@clusterfunk/core/bench'
import { joinAll, settle, startMembers, stopAll } from './cluster-kit.js'

/**
 * Steady-state cost at N = 32, LAN preset, every member in this process:
 * bytes sent per member per second (UDP and TCP, as written to the sockets)
 * and the process's CPU time per member as a percentage of one core. The
 * CPU figure includes this process's share of the benchmark's own polling.
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const n = options.tiny ? 4 : 32
  const windowMs = options.tiny ? 500 : 15_000
  const nodes = await startMembers(n, 's-', { preset: 'lan' })
  try {
    await joinAll(nodes)
    await settle(options.tiny ? 100 : 3000)
    const bytes = (): number => nodes.reduce((sum, node) => { const s = node.stats(); return sum + s.bytesOut.udp + s.bytesOut.tcp }, 0)
    const b0 = bytes()
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    await settle(windowMs)
    const elapsedS = (performance.now() - t0) / 1000
    const cpu = process.cpuUsage(c0)
    const bytesPerS = (bytes() - b0) / elapsedS / n
    const cpuPercent = (cpu.user + cpu.system) / 1e6 / elapsedS / n * 100
    report({ bench: 'swim.steady.bytes_per_s.32', value: bytesPerS, unit: 'bytes_per_s', better: 'lower' })
    report({ bench: 'swim.steady.cpu.32', value: cpuPercent, unit: 'percent', better: 'lower' })
  } finally {
    await stopAll(nodes)
  }
}
