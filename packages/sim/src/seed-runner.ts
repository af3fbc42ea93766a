import { InvalidConfigError } from '@clusterfunk/core'
import { DEFAULT_FAILURE_TRACE_LINES, DEFAULT_FIRST_SEED, DEFAULT_SEED_BUDGET_MS, DEFAULT_SEEDS } from './constants.js'
import { SeedFailureError } from './errors.js'
import { callerFile, replayCommand, type TestLocation } from './replay.js'
import { Simulation, type SimulationInit } from './simulation.js'

/** What a scenario gets for one seed. */
export interface SeedContext {
  seed: number
  /** A fresh simulation seeded with `seed`. */
  sim: Simulation
}

export interface RunSeedsOptions {
  /** Names the scenario in failure messages. */
  name: string
  /** Runs once per seed; throwing (or rejecting) fails the run at that seed. */
  scenario: (ctx: SeedContext) => void | Promise<void>
  /** How many consecutive seeds to run at most. Default 20; `SIM_SEEDS` overrides. */
  seeds?: number
  /** Stop starting new seeds after this much real time, in ms (at least one always runs). Default 5000; `SIM_BUDGET_MS` overrides. */
  budgetMs?: number
  /** The first seed. Default 1. */
  firstSeed?: number
  /** Mocha's `this.test`, from which the replay command takes the file and title. */
  test?: TestLocation
  /** The compiled test file for the replay command. Default `test.file`, else the caller's file from the stack. */
  file?: string
  /** The title the replay command's `-g` selects. Default `test.fullTitle()`, else `name`. */
  title?: string
  /** Options for each run's `Simulation` (the seed is set per run). */
  simulation?: Omit<SimulationInit, 'seed'>
  /** Trace lines quoted in a failure message. Default 20. */
  traceLines?: number
  /** Where `SIM_SEED`, `SIM_SEEDS` and `SIM_BUDGET_MS` are read. Default `process.env`. */
  env?: Record<string, string | undefined>
}

export interface RunSeedsSummary {
  name: string
  /** The seeds run, in order; all passed. */
  seeds: number[]
  /** Real time taken, in ms. */
  elapsedMs: number
}

/**
 * Runs a scenario over consecutive seeds, each on a fresh `Simulation`,
 * until `seeds` have run or `budgetMs` of real time is spent (whichever
 * comes first, but at least one seed). The real clock here only decides
 * how many seeds to try; each run is a function of its seed alone.
 *
 * Environment: `SIM_SEED=<n>` runs exactly seed n. `SIM_SEEDS=<count>`
 * and `SIM_BUDGET_MS=<ms>` replace the seed count and the budget; setting
 * one alone lifts the other limit, so a longer soak needs one variable.
 *
 * The first failure throws `SeedFailureError` whose message holds the
 * seed, the original error, the command that replays it, and the tail of
 * the trace; the original error is its `cause`.
 */
export async function runSeeds (options: RunSeedsOptions): Promise<RunSeedsSummary> {
  const env = options.env ?? process.env
  const started = performance.now()
  const plan = planSeeds(options, env)
  const seeds: number[] = []
  for (let seed = plan.first; seeds.length < plan.count; seed++) {
    if (seeds.length > 0 && performance.now() - started >= plan.budgetMs) break
    const sim = new Simulation({ ...options.simulation, seed })
    try {
      await options.scenario({ seed, sim })
    } catch (err) {
      throw failure(options, seed, sim, err)
    }
    seeds.push(seed)
  }
  return { name: options.name, seeds, elapsedMs: performance.now() - started }
}

function planSeeds (options: RunSeedsOptions, env: Record<string, string | undefined>): { first: number, count: number, budgetMs: number } {
  const only = envInt(env, 'SIM_SEED')
  if (only !== undefined) return { first: only, count: 1, budgetMs: Infinity }
  const envSeeds = envInt(env, 'SIM_SEEDS')
  const envBudget = envInt(env, 'SIM_BUDGET_MS')
  const first = options.firstSeed ?? DEFAULT_FIRST_SEED
  if (envSeeds !== undefined || envBudget !== undefined) {
    return { first, count: envSeeds ?? Infinity, budgetMs: envBudget ?? Infinity }
  }
  const count = options.seeds ?? DEFAULT_SEEDS
  const budgetMs = options.budgetMs ?? DEFAULT_SEED_BUDGET_MS
  if (!(count >= 1)) throw new InvalidConfigError('seeds', 'must be at least 1')
  if (!(budgetMs >= 0)) throw new InvalidConfigError('budgetMs', 'must be >= 0')
  return { first, count, budgetMs }
}

function envInt (env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const value = Number(raw)
  if (!Number.isSafeInteger(value)) throw new InvalidConfigError(name, `must be an integer, got ${JSON.stringify(raw)}`)
  return value
}

function failure (options: RunSeedsOptions, seed: number, sim: Simulation, err: unknown): SeedFailureError {
  const file = options.file ?? options.test?.file ?? callerFile()
  const title = options.title ?? options.test?.fullTitle() ?? options.name
  const command = replayCommand(seed, file, title)
  const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  const tail = sim.trace.tail(options.traceLines ?? DEFAULT_FAILURE_TRACE_LINES)
  const lines = [
    `simulation "${options.name}" failed with seed ${seed} at virtual time ${sim.now().toFixed(3)} ms: ${reason}`,
    `replay: ${command}`
  ]
  if (tail.length > 0) lines.push(`last ${tail.length} trace lines:`, ...tail.map(l => `  ${l}`))
  return new SeedFailureError(lines.join('\n'), seed, command, err)
}
