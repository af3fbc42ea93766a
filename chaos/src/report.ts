import { printFigure, quantile, type Figure } from '@clusterfunk/core/bench'
import type { RunResult } from './run.js'

/** The figures of a set of runs (one mode: calm or pressure, faults or idle), printed as JSON lines; returns them. */
export function report (prefix: string, runs: readonly RunResult[], idle: boolean): Figure[] {
  const figures: Figure[] = []
  const add = (f: Figure): void => { figures.push(f); printFigure(f) }
  const sum = (pick: (r: RunResult) => number): number => runs.reduce((s, r) => s + pick(r), 0)
  if (idle) {
    add({ bench: `${prefix}.elections`, value: sum(r => r.elections), unit: 'count', goal: 0, better: 'lower' })
    add({ bench: `${prefix}.false_dead`, value: sum(r => r.falseDead), unit: 'count', goal: 0, better: 'lower' })
    add({ bench: `${prefix}.operational_fraction`, value: Math.min(...runs.map(r => r.operationalFraction)), unit: 'fraction', goal: 0.99, better: 'higher' })
  } else {
    const times = runs.flatMap(r => r.faults.flatMap(f => f.recoveryMs === undefined ? [] : [f.recoveryMs]))
    if (times.length > 0) {
      add({ bench: `${prefix}.recovery.median`, value: quantile(times, 0.5), unit: 'ms', goal: 1_500, better: 'lower' })
      add({ bench: `${prefix}.recovery.p90`, value: quantile(times, 0.9), unit: 'ms', goal: 3_000, better: 'lower' })
      add({ bench: `${prefix}.recovery.max`, value: Math.max(...times), unit: 'ms', goal: 10_000, better: 'lower' })
    }
    // How much of a restart's recovery the victim spent loading and starting its own process (no goal: a breakdown).
    const ready = runs.flatMap(r => r.faults.flatMap(f => f.restart?.readyMs === undefined ? [] : [f.restart.readyMs]))
    if (ready.length > 0) add({ bench: `${prefix}.restart.process_ready.median`, value: quantile(ready, 0.5), unit: 'ms', better: 'lower' })
    add({ bench: `${prefix}.faults`, value: sum(r => r.faults.length), unit: 'count', better: 'higher' })
    add({ bench: `${prefix}.nonrecovered`, value: sum(r => r.faults.filter(f => f.recoveryMs === undefined).length), unit: 'count', goal: 0, better: 'lower' })
    add({ bench: `${prefix}.operational_fraction`, value: Math.min(...runs.map(r => r.operationalFraction)), unit: 'fraction', better: 'higher' })
  }
  const kinds = runs.flatMap(r => r.violations.map(v => v.kind))
  add({ bench: `${prefix}.map_violations`, value: kinds.filter(k => k === 'map').length, unit: 'count', goal: 0, better: 'lower' })
  add({ bench: `${prefix}.nonowner_served`, value: kinds.filter(k => k === 'non-owner' || k === 'stale-map').length, unit: 'count', goal: 0, better: 'lower' })
  add({ bench: `${prefix}.stale_reads`, value: kinds.filter(k => k === 'stale-read').length, unit: 'count', goal: 0, better: 'lower' })
  add({ bench: `${prefix}.crashes`, value: sum(r => r.crashes), unit: 'count', goal: 0, better: 'lower' })
  if (!idle) {
    // Keys whose acknowledged writes were gone when read back after the run (the kv example must replicate to keep them).
    const kv = prefix === 'chaos' ? 'kv' : `${prefix}.kv`
    add({ bench: `${kv}.lost_acked_writes`, value: sum(r => r.lostWrites.length), unit: 'count', goal: 0, better: 'lower' })
    add({ bench: `${kv}.acked_keys`, value: sum(r => r.ackedKeys), unit: 'count', better: 'higher' })
  }
  return figures
}

/** True when a run broke a safety rule or a node crashed: what fails the run, whatever the timings. */
export function unsafe (runs: readonly RunResult[]): boolean {
  return runs.some(r => r.violations.length > 0 || r.crashes > 0)
}
