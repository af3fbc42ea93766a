#!/usr/bin/env node
// kv-load: writes K keys then reads them back through one or more kv nodes,
// and reports which node served what and the latency.
import { parseArgs } from 'node:util'
import { runLoad } from '../load.js'
import { formatReport } from '../report.js'

const USAGE = `usage: kv-load --endpoint <http://127.0.0.1:port> [--endpoint ...] [--requests 1000] [--keys 100] [--concurrency 16] [--samples 4]`

function count (flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    process.stderr.write(`kv-load: --${flag} must be a whole number above 0, not "${raw}"\n${USAGE}\n`)
    process.exit(2)
  }
  return Number(raw)
}

let values
try {
  ({ values } = parseArgs({
    options: {
      endpoint: { type: 'string', multiple: true },
      requests: { type: 'string' },
      keys: { type: 'string' },
      concurrency: { type: 'string' },
      samples: { type: 'string' }
    }
  }))
} catch (err) {
  process.stderr.write(`kv-load: ${(err as Error).message}\n${USAGE}\n`)
  process.exit(2)
}
const endpoints = (values.endpoint ?? []).flatMap(e => e.split(',')).filter(e => e !== '')
if (endpoints.length === 0 || endpoints.some(e => !/^http:\/\/[^/]+$/.test(e))) {
  process.stderr.write(`kv-load: give every node as --endpoint http://host:port\n${USAGE}\n`)
  process.exit(2)
}
try {
  const report = await runLoad({
    endpoints,
    requests: count('requests', values.requests, 1000),
    keys: count('keys', values.keys, 100),
    concurrency: count('concurrency', values.concurrency, 16)
  })
  console.log(formatReport(report, count('samples', values.samples, 4)))
  process.exitCode = report.failed + report.wrongValues === 0 ? 0 : 1
} catch (err) {
  process.stderr.write(`kv-load: ${(err as Error).message}\n`)
  process.exitCode = 3
}
