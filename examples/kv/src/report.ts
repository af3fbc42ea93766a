import type { LoadReport, LoadSample } from './load.js'

/** One request as a line: what was asked where, who served it, how long it took. */
export function formatSample (s: LoadSample): string {
  const path = `${s.method} /kv/${s.key}`
  const port = new URL(s.entry).port
  const served = s.reply.servedBy === undefined ? `status ${s.reply.status}` : `served by ${s.reply.servedBy}`
  const how = s.reply.via === undefined ? 'locally' : `forwarded by ${s.reply.via}`
  return `${path.padEnd(18)} entered :${port}  ${served} ${how} (shard ${s.reply.shard ?? '-'}, ${s.reply.ms.toFixed(1)} ms)`
}

/** The load report as text: served counts per node, forwarding, failures, latency. */
export function formatReport (report: LoadReport, samples = 4): string {
  const total = report.samples.length
  const lines = Object.entries(report.servedBy).sort(([a], [b]) => a < b ? -1 : 1)
    .map(([node, n]) => `  served by ${node}: ${String(n).padStart(5)}  (${(100 * n / Math.max(1, total)).toFixed(1)}%)`)
  // Samples spread over the run rather than the first few, which are all writes.
  const step = Math.max(1, Math.floor(total / Math.max(1, samples)))
  const picked = report.samples.filter((_, i) => i % step === 0).slice(0, samples)
  return [
    `${total} requests: ${report.forwarded} forwarded one hop, ${report.failed} failed, ${report.wrongValues} wrong values`,
    ...lines,
    `  latency p50 ${report.p50Ms.toFixed(1)} ms, p99 ${report.p99Ms.toFixed(1)} ms`,
    ...picked.map(s => `  ${formatSample(s)}`)
  ].join('\n')
}
