import type { KvProcess } from './kv-process.js'
import { funkctl } from './funkctl.js'
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
  const report = await runLoad({ endpoints: entries.map(n => n.http), requests, keys, concurrency: 8 })
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
