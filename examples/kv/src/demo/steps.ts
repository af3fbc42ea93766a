import type { KvProcess } from './kv-process.js'
import { funkctl } from './funkctl.js'
import { KvClient } from '../client.js'
import { runLoad, type LoadReport } from '../load.js'
import { formatReport } from '../report.js'

export const say = (text = ''): void => { console.log(text) }
export const heading = (text: string): void => { say(`\n== ${text} ==`) }

/** Prints `funkctl <args>` against `node`'s management port, as an operator would type it. */
export async function showFunkctl (node: KvProcess, ...args: string[]): Promise<void> {
  say(`$ funkctl --endpoint ${node.mgmt} ${args.join(' ')}`)
  say((await funkctl(['--endpoint', node.mgmt, ...args])).trimEnd())
}

/**
 * Sends a batch through `entries` and prints where it was served. The batch
 * must succeed and be served by every node in `expect`: the demo fails
 * loudly rather than print a wrong picture.
 */
export async function showLoad (entries: readonly KvProcess[], expect: readonly string[], requests: number, keys: number): Promise<LoadReport> {
  say(`${requests} requests over ${keys} keys (writes first, then reads), entering at ${entries.map(n => n.id).join(', ')} in turn:`)
  // A write waits for its replica too, so a node briefly out of contact on a busy machine answers 503 for longer: retry for up to 5 s.
  const report = await runLoad({ endpoints: entries.map(n => n.http), requests, keys, concurrency: 8, client: new KvClient({ attempts: 25 }) })
  say(formatReport(report, 5))
  if (report.failed + report.wrongValues > 0) {
    // Say why, so a failed demo can be diagnosed from its output alone.
    for (const s of report.samples.filter(x => x.reply.status >= 300).slice(0, 5)) say(`  failed: ${s.method} /kv/${s.key} at ${s.entry}: ${s.reply.status} ${s.reply.body.slice(0, 200)}`)
    throw new Error(`${report.failed} requests failed and ${report.wrongValues} read a wrong value`)
  }
  const missing = expect.filter(id => (report.servedBy[id] ?? 0) === 0)
  if (missing.length > 0) throw new Error(`no request was served by ${missing.join(', ')}`)
  return report
}

/** A node's states since `since`, e.g. `Resharding → Operational (map v3: n1,n2)`. */
export function trail (node: KvProcess, since: number): string {
  const steps: string[] = []
  for (const s of node.history.filter(h => h.t >= since)) {
    const text = `${s.state} (map v${s.version}: ${s.owners.join(',')})`
    if (steps.at(-1) !== text) steps.push(text)
  }
  return `${node.id}: ${steps.join(' → ') || 'no change'}`
}

/** Sends until a node answers other than 503 (or no answer), entering at the nodes in turn, for at most `ms`. */
async function settle (nodes: readonly KvProcess[], method: 'GET' | 'PUT', key: string, body: string | undefined, ms: number): Promise<{ status: number, text: string }> {
  const until = performance.now() + ms
  for (let i = 0; ; i++) {
    const node = nodes[i % nodes.length] as KvProcess
    try {
      const res = await fetch(`${node.http}/kv/${encodeURIComponent(key)}`, { method, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(3_000) })
      const text = await res.text()
      if (res.status !== 503) return { status: res.status, text }
    } catch {
      // No answer: try the next node.
    }
    if (performance.now() > until) return { status: 0, text: '' }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/** Writes `count` keys `durable-<i>` and returns those acknowledged (204), with their values. */
export async function writeDurable (nodes: readonly KvProcess[], count: number): Promise<Map<string, string>> {
  const acked = new Map<string, string>()
  for (let i = 0; i < count; i++) {
    const key = `durable-${i}`
    const value = `v${i}-${Date.now()}`
    if ((await settle(nodes, 'PUT', key, value, 10_000)).status === 204) acked.set(key, value)
  }
  say(`wrote ${count} keys durable-0..${count - 1}: ${acked.size} acknowledged (each on its primary and its replica before the ack)`)
  return acked
}

/** Reads every acknowledged key back through `nodes`; throws unless each has its value. */
export async function readDurable (nodes: readonly KvProcess[], acked: ReadonlyMap<string, string>): Promise<void> {
  const lost: string[] = []
  for (const [key, value] of acked) {
    const { status, text } = await settle(nodes, 'GET', key, undefined, 10_000)
    if (status !== 200 || text !== value) lost.push(`${key} (${status})`)
  }
  say(`read back ${acked.size - lost.length} of ${acked.size} acknowledged keys through ${nodes.map(n => n.id).join(', ')}: ${lost.length} lost`)
  if (lost.length > 0) throw new Error(`acknowledged keys lost: ${lost.slice(0, 10).join(', ')}`)
}
