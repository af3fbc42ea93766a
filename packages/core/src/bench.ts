/**
 * Benchmark output, as the project's DESIGN.md fixes it: a human table on
 * stderr and one JSON line per figure on stdout,
 * `{"bench":"sharding.update.join.median","value":143.2,"unit":"us","goal":200,"better":"lower"}`.
 * Benchmarks take a `tiny` flag so `npm test` can run each once at a small
 * size to keep it working; in that mode figures are still printed but no
 * one should read anything into them.
 */

export interface Figure {
  bench: string
  value: number
  unit: string
  goal?: number
  better: 'lower' | 'higher'
}

export interface BenchOptions {
  /** Run at a toy size: proves the benchmark works, measures nothing useful. */
  tiny: boolean
  /** Receives each figure; default prints it as a JSON line. */
  report?: (figure: Figure) => void
}

/** Writes one figure: the JSON line to stdout, a readable row to stderr. */
export function printFigure (figure: Figure): void {
  const rounded = Number.isInteger(figure.value) ? figure.value : Number(figure.value.toPrecision(4))
  const out: Figure = { ...figure, value: rounded }
  process.stdout.write(JSON.stringify(out) + '\n')
  const goal = figure.goal === undefined ? '' : `  goal ${figure.better === 'lower' ? '≤' : '≥'} ${figure.goal} ${figure.unit}`
  const verdict = figure.goal === undefined ? '' : (meetsGoal(figure) ? '  ok' : '  MISSED')
  process.stderr.write(`  ${figure.bench.padEnd(40)} ${String(rounded).padStart(12)} ${figure.unit}${goal}${verdict}\n`)
}

/** True when a figure meets its goal (or has none). */
export function meetsGoal (figure: Figure): boolean {
  if (figure.goal === undefined) return true
  return figure.better === 'lower' ? figure.value <= figure.goal : figure.value >= figure.goal
}

/** The `q` quantile (0..1) of `values`, by linear interpolation. */
export function quantile (values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q))
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  const a = sorted[lo] as number
  const b = sorted[hi] as number
  return a + (b - a) * (pos - lo)
}

export function median (values: readonly number[]): number {
  return quantile(values, 0.5)
}

/**
 * Times `fn` over `iterations` runs after `warmup` unmeasured ones and
 * returns each run's duration in microseconds. `setup` runs before each
 * call, outside the measurement.
 */
export function sampleMicros<S> (iterations: number, fn: (state: S) => unknown, setup: () => S, warmup = Math.min(100, iterations)): number[] {
  for (let i = 0; i < warmup; i++) fn(setup())
  const out: number[] = []
  for (let i = 0; i < iterations; i++) {
    const state = setup()
    const t0 = process.hrtime.bigint()
    fn(state)
    out.push(Number(process.hrtime.bigint() - t0) / 1000)
  }
  return out
}

/**
 * Nanoseconds per call of a very short operation, from a loop of `count`
 * calls (too short to time one at a time). `fn` gets the loop index and
 * should return something that depends on its work, which is folded into a
 * sink so the optimiser cannot drop it.
 */
export function nanosPerCall (count: number, fn: (i: number) => number): number {
  let sink = 0
  for (let i = 0; i < Math.min(count, 100_000); i++) sink ^= fn(i)
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < count; i++) sink ^= fn(i)
  const ns = Number(process.hrtime.bigint() - t0) / count
  if (sink === 0.5) process.stderr.write('')
  return ns
}
