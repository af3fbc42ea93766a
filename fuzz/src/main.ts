#!/usr/bin/env node
// npm run fuzz: the hostile-input suite against kv-server clusters on
// 127.0.0.1. Prints the seed (and the command that replays the run), a
// table per cluster on stderr, figures as JSON lines on stdout; exits 1
// when a node crashed or a goal figure was missed, 2 on a bad flag.
import { randomSeed } from '@clusterfunk/core'
import { FUZZ_USAGE, FuzzUsageError, parseFuzzOptions } from './options.js'
import { report } from './report.js'
import { attackCluster, type ClusterResult } from './run.js'

let options
try {
  options = parseFuzzOptions(process.argv.slice(2), randomSeed)
} catch (err) {
  if (!(err instanceof FuzzUsageError)) throw err
  process.stderr.write(`fuzz: ${err.message}\n${FUZZ_USAGE}\n`)
  process.exit(2)
}

const log = (line: string): void => { process.stderr.write(`${line}\n`) }
const replay = ['npm run fuzz --', ...(options.short ? ['--short'] : []), '--seed', String(options.seed), '--inputs', String(options.inputs),
  '--duration', String(options.durationMs / 1000), '--cluster', options.clusters.length === 2 ? 'both' : String(options.clusters[0]),
  '--nodes', String(options.nodes), '--idle-connections', String(options.idleConnections), '--replay-delay', String(options.replayDelayMs / 1000)].join(' ')
log(`fuzz: seed ${options.seed}; replay with: ${replay}`)

const t0 = performance.now()
const results: ClusterResult[] = []
for (const [i, kind] of options.clusters.entries()) {
  // Each cluster gets its share of the time, so a slow first one cannot starve the second.
  const deadline = t0 + options.durationMs * (i + 1) / options.clusters.length
  results.push(await attackCluster(kind, options, options.seed + i, deadline, log))
}
const missed = report(results, options)
log(`\nfuzz: ${((performance.now() - t0) / 1000).toFixed(0)} s, seed ${options.seed}; ${missed.length === 0 ? 'every goal met' : `missed: ${missed.map(f => f.bench).join(', ')}`}`)
process.exitCode = missed.length === 0 ? 0 : 1
