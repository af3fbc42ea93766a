import { meetsGoal, printFigure, type Figure } from '@clusterfunk/core/bench'
import type { FuzzOptions } from './options.js'
import { inputsByPort, type ClusterResult } from './run.js'

const err = (line = ''): void => { process.stderr.write(`${line}\n`) }

/**
 * Prints the run: per cluster a table of nodes and findings on stderr, then
 * every figure (JSON line on stdout, row on stderr). Returns the figures
 * whose goal was missed.
 */
export function report (results: readonly ClusterResult[], options: FuzzOptions): Figure[] {
  for (const r of results) {
    err(`\n== ${r.kind} cluster`)
    err(`  ${'node'.padEnd(6)} ${'rss MiB base'.padStart(12)} ${'rss MiB peak'.padStart(12)} ${'fds peak'.padStart(9)}`)
    for (const n of r.nodes) err(`  ${n.id.padEnd(6)} ${n.baselineRssMb.toFixed(1).padStart(12)} ${n.peakRssMb.toFixed(1).padStart(12)} ${String(n.peakFds).padStart(9)}`)
    err(`  inputs: ${inputsByPort(r).map(([p, n]) => `${p} ${n}`).join(', ')}`)
    err('  rss MiB at the end of each phase:')
    for (const m of r.marks) err(`    ${m.phase.padEnd(28)} ${m.rssMb.map(v => v.toFixed(1).padStart(7)).join(' ')}`)
    err(`  operational samples per flood: ${r.floods.join(', ')}`)
    for (const d of r.downSamples) err(`    not operational: ${d}`)
    for (const [k, v] of r.tally.measures) err(`  ${k}: ${Math.round(v)}`)
    for (const c of r.crashes) err(`  CRASH ${c}`)
    for (const f of r.tally.findings) err(`  - ${f}`)
  }
  err('\n== figures')
  const figures: Figure[] = []
  const fig = (f: Figure): void => { figures.push(f); printFigure(f) }
  const secured = results.find(r => r.kind === 'secured')
  const minInputs = Math.min(...results.flatMap(r => inputsByPort(r).map(([, n]) => n)))
  fig({ bench: 'fuzz.crashes', value: results.reduce((s, r) => s + r.crashes.length, 0), unit: 'processes', goal: 0, better: 'lower' })
  // Under a flood, over the RSS the node had when the flood began: what the flood cost. Growth since start
  // (mostly the V8 heap sizing itself to the input phase's garbage; it levels off) is printed per cluster.
  fig({ bench: 'fuzz.rss_growth_mb.max', value: Math.max(...results.map(r => r.floodRssGrowthMb)), unit: 'MiB', goal: 64, better: 'lower' })
  // A fraction measured to 0.01 needs 100 samples; a short run's floods give about 40 (one sample is 2.5 %),
  // so there the figure is reported without its goal, as the input count is.
  const opSource = secured ?? results[0]
  const opResolved = (opSource?.operationalSamples ?? 0) >= 100
  fig({ bench: 'fuzz.operational_fraction', value: opSource?.operationalFraction ?? 1, unit: 'fraction', ...(opResolved ? { goal: 0.99 } : {}), better: 'higher' })
  fig({ bench: 'fuzz.operational_samples', value: opSource?.operationalSamples ?? 0, unit: 'samples', better: 'higher' })
  if (secured !== undefined) {
    fig({ bench: 'fuzz.replays_accepted', value: secured.tally.replays.accepted, unit: 'inputs', goal: 0, better: 'lower' })
    fig({ bench: 'fuzz.unauthenticated_accepted', value: secured.tally.unauthenticated.accepted, unit: 'inputs', goal: 0, better: 'lower' })
  }
  fig({ bench: 'fuzz.stalls', value: results.reduce((s, r) => s + r.tally.stalls, 0), unit: 'phases', goal: 0, better: 'lower' })
  // The >= 100 000 inputs per port goal is the full run's; a short run reports the count without it.
  fig({ bench: 'fuzz.inputs_per_port.min', value: minInputs, unit: 'inputs', ...(options.short ? {} : { goal: 100_000 }), better: 'higher' })
  for (const r of results) {
    for (const [p, n] of inputsByPort(r)) fig({ bench: `fuzz.${r.kind}.inputs.${p}`, value: n, unit: 'inputs', better: 'higher' })
    fig({ bench: `fuzz.${r.kind}.operational_fraction`, value: r.operationalFraction, unit: 'fraction', better: 'higher' })
    fig({ bench: `fuzz.${r.kind}.rss_growth_mb.max`, value: r.floodRssGrowthMb, unit: 'MiB', better: 'lower' })
    fig({ bench: `fuzz.${r.kind}.rss_growth_since_start_mb.max`, value: r.rssGrowthMb, unit: 'MiB', better: 'lower' })
    fig({ bench: `fuzz.${r.kind}.fd_peak`, value: r.fdPeak, unit: 'fds', better: 'lower' })
    fig({ bench: `fuzz.${r.kind}.drops_counted`, value: r.drops, unit: 'inputs', better: 'higher' })
    fig({ bench: `fuzz.${r.kind}.dep0123_nodes`, value: r.dep0123Nodes, unit: 'nodes', better: 'lower' })
    if (r.kind === 'secured') {
      // A zero "accepted" means nothing unless inputs were tried: these goals make a skipped phase a miss.
      fig({ bench: 'fuzz.secured.replays_tried', value: r.tally.replays.tried, unit: 'inputs', goal: 1, better: 'higher' })
      // A refused control means the suite could not make that genuine input (its format drifted): its replay proves nothing.
      fig({ bench: 'fuzz.secured.replay_controls_refused', value: r.tally.replays.controlsRefused, unit: 'inputs', goal: 0, better: 'lower' })
      fig({ bench: 'fuzz.secured.unauthenticated_tried', value: r.tally.unauthenticated.tried, unit: 'inputs', goal: 1, better: 'higher' })
    }
  }
  return figures.filter(f => !meetsGoal(f))
}
