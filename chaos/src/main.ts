#!/usr/bin/env node
// npm run chaos: kv-server processes under seeded faults, a request load and
// (optionally) CPU pressure, each node in a network namespace of its own.
// Prints the seed and the command that replays it, a line per fault on
// stderr, figures as JSON lines on stdout; exits 1 when a safety rule broke
// or a node crashed, 2 on a bad flag or when it cannot set up.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { randomSeed } from '@clusterfunk/core'
import { NetLab } from './lab.js'
import { CHAOS_USAGE, ChaosUsageError, parseChaosOptions, type ChaosOptions } from './options.js'
import { report, unsafe } from './report.js'
import { runSeed, type RunResult } from './run.js'

const log = (line: string): void => { process.stderr.write(`${line}\n`) }

let options: ChaosOptions
try {
  options = parseChaosOptions(process.argv.slice(2), randomSeed)
} catch (err) {
  if (!(err instanceof ChaosUsageError)) throw err
  process.stderr.write(`chaos: ${err.message}\n${CHAOS_USAGE}\n`)
  process.exit(2)
}

const LAB_PREFIX = 'cfk'

/** Installs Debian packages when their commands are missing (the project's own script; root for apt-get). */
function ensure (packages: readonly string[], commands: readonly string[]): void {
  execFileSync('bash', [fileURLToPath(new URL('../../system/ensure.sh', import.meta.url)), ...packages, '--', ...commands], { stdio: 'inherit' })
}

/** Runs this program again inside the lab's hub namespace, where the nodes are reachable; returns its exit code. */
async function launchInLab (): Promise<number> {
  if (process.getuid?.() !== 0) {
    log('chaos: network namespaces need root; run as root, or with --no-netns (no partitions or loss)')
    return 2
  }
  ensure(['iproute2', 'iptables'], ['ip', 'iptables'])
  if (options.pressure || options.bench) ensure(['stress-ng'], ['stress-ng'])
  const lab = new NetLab(LAB_PREFIX, options.nodes)
  await lab.create()
  const child = spawn('ip', ['netns', 'exec', lab.hub, process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2), '--inside-lab', LAB_PREFIX], { stdio: 'inherit' })
  const stop = (): void => { child.kill('SIGINT') }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  try {
    return await new Promise<number>(resolve => { child.on('exit', code => { resolve(code ?? 1) }) })
  } finally {
    await lab.destroy()
  }
}

function startPressure (): ChildProcess {
  const workers = 2 * availableParallelism()
  log(`chaos: CPU pressure: stress-ng --cpu ${workers}`)
  return spawn('stress-ng', ['--cpu', String(workers), '--quiet'], { stdio: 'ignore' })
}

async function runSet (seeds: readonly number[], pressure: boolean, idle: boolean, lab: NetLab | undefined): Promise<RunResult[]> {
  const stress = pressure ? startPressure() : undefined
  const runs: RunResult[] = []
  try {
    for (const seed of seeds) {
      const replay = ['npm run chaos --', '--seed', String(seed), '--nodes', String(options.nodes), '--duration', String(options.durationMs / 1000),
        ...(pressure ? ['--pressure'] : []), ...(idle ? ['--idle'] : []), ...(lab === undefined ? ['--no-netns'] : []), `--replication-factor=${options.replicationFactor}`, ...(options.unbundled ? ['--unbundled'] : []), ...options.nodeArgs.map(a => `--node-arg=${a}`)].join(' ')
      log(`chaos: seed ${seed}${pressure ? ', CPU pressure' : ''}; replay with: ${replay}`)
      const run = await runSeed(seed, { ...options, pressure, idle }, lab, log)
      for (const v of run.violations.slice(0, 20)) log(`  VIOLATION ${v.kind}: ${v.detail}`)
      log(`  ${run.requests} requests (${JSON.stringify(run.statuses)}), ${run.checkedRequests} checked against their map; crashes ${run.crashes}`)
      runs.push(run)
    }
  } finally {
    stress?.kill('SIGKILL')
  }
  return runs
}

async function main (): Promise<number> {
  if (options.netns && options.insideLab === undefined) return await launchInLab()
  if (options.insideLab === undefined && (options.pressure || options.bench)) ensure(['stress-ng'], ['stress-ng'])
  let lab: NetLab | undefined
  if (options.insideLab !== undefined) {
    lab = new NetLab(options.insideLab, options.nodes)
    await lab.probe()
    log(`chaos: lab ${lab.hub}: ${options.nodes} namespaces; loss ${lab.abilities.loss ? 'yes' : 'no (no iptables statistic match)'}, delay ${lab.abilities.delay ? 'yes' : 'no (the kernel has no netem)'}`)
  }
  const all: RunResult[] = []
  if (options.bench) {
    const calm = await runSet(options.seeds, false, false, lab)
    report('chaos', calm, false)
    const busy = await runSet(options.seeds, true, false, lab)
    report('chaos.pressure', busy, false)
    const idle = await runSet([options.seeds[0] as number], true, true, lab)
    report('pressure', idle, true)
    all.push(...calm, ...busy, ...idle)
  } else {
    const runs = await runSet(options.seeds, options.pressure, options.idle, lab)
    report(options.idle ? (options.pressure ? 'pressure' : 'idle') : (options.pressure ? 'chaos.pressure' : 'chaos'), runs, options.idle)
    all.push(...runs)
  }
  if (unsafe(all)) {
    log('chaos: a safety rule broke or a node crashed (see above)')
    return 1
  }
  return 0
}

process.exitCode = await main()
