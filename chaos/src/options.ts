import { parseArgs } from 'node:util'

/** What `npm run chaos` is started with. */
export interface ChaosOptions {
  seeds: number[]
  nodes: number
  /** How long faults (or, idle, the quiet watch) run per seed, after the nodes formed. */
  durationMs: number
  /** How long after its victim is back a fault may take to recover before it counts as not recovered. */
  recoveryBoundMs: number
  /** Busy processes taking every core (stress-ng, two per core) during the run. */
  pressure: boolean
  /** No faults, no load: count elections, false dead verdicts and Operational time. */
  idle: boolean
  /** Nodes in network namespaces of their own (root; partitions and loss need it); else all on 127.0.0.1. */
  netns: boolean
  short: boolean
  /** The benchmark set: calm and pressure runs over the seeds, and an idle run under pressure. */
  bench: boolean
  /** More kv-server flags for every node (a timing preset, say). */
  nodeArgs: string[]
  /** kv owners a shard, passed to every kv-server. */
  replicationFactor: number
  /** Run kv-server's modules instead of its one-file bundle (the default, as a service deploys for fast restarts). */
  unbundled: boolean
  /** Set by the launcher when it re-runs itself inside the lab's hub namespace. */
  insideLab: string | undefined
}

/** A bad command line. */
export class ChaosUsageError extends Error {
  override readonly name = 'ChaosUsageError'
}

export const CHAOS_USAGE = `usage: npm run chaos -- [options]
  --seed <n>             one seed (default: random, printed); --seeds 1,2,3 for several
  --short                the CI run: 3 nodes, 40 s of faults, one seed
  --nodes <n>            kv-server processes (default 5; short 3)
  --duration <seconds>   faults (or the idle watch) per seed, after the nodes formed (default 300; short 40)
  --recovery-bound <s>   a fault not recovered this long after its victim is back counts as not recovered (default 30)
  --pressure             two busy processes per core (stress-ng) for the whole run
  --idle                 no faults and no load: count elections, false dead verdicts and Operational time
  --no-netns             all nodes on 127.0.0.1 (no partitions or loss); default: a network namespace per node (root)
  --node-arg <flag>      pass a flag to every kv-server (repeatable), e.g. --node-arg=--raft-preset=fast
  --replication-factor <r>  kv owners a shard, 1..8 (default 2: acknowledged writes survive one kill -9; 1: the cache)
  --unbundled            run kv-server from its ~580 modules instead of its one-file bundle (slower restarts)
  --bench                the benchmark set: calm and pressure runs for each seed (default seeds 1,2,3), then an idle run under pressure`

function whole (flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) throw new ChaosUsageError(`--${flag} must be a whole number >= ${min}, not "${raw}"`)
  return n
}

/** Parses the chaos benchmark's flags. @throws ChaosUsageError naming the flag */
export function parseChaosOptions (argv: readonly string[], randomSeed: () => number): ChaosOptions {
  let values
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        seed: { type: 'string' },
        seeds: { type: 'string' },
        short: { type: 'boolean' },
        nodes: { type: 'string' },
        duration: { type: 'string' },
        'recovery-bound': { type: 'string' },
        pressure: { type: 'boolean' },
        idle: { type: 'boolean' },
        'no-netns': { type: 'boolean' },
        'node-arg': { type: 'string', multiple: true },
        'replication-factor': { type: 'string' },
        bench: { type: 'boolean' },
        unbundled: { type: 'boolean' },
        'inside-lab': { type: 'string' }
      }
    }))
  } catch (err) {
    throw new ChaosUsageError((err as Error).message)
  }
  if (values.seed !== undefined && values.seeds !== undefined) throw new ChaosUsageError('give --seed or --seeds, not both')
  const short = values.short === true
  const bench = values.bench === true
  let seeds: number[]
  if (values.seeds !== undefined) {
    seeds = values.seeds.split(',').map(s => whole('seeds', s.trim(), 0) as number)
  } else if (values.seed !== undefined) {
    seeds = [whole('seed', values.seed, 0) as number]
  } else {
    seeds = bench ? [1, 2, 3] : [randomSeed()]
  }
  const nodes = whole('nodes', values.nodes, 2) ?? (short ? 3 : 5)
  const replicationFactor = whole('replication-factor', values['replication-factor'], 1) ?? 2
  if (replicationFactor > 8) throw new ChaosUsageError('--replication-factor must be at most 8')
  if (nodes > 200) throw new ChaosUsageError('--nodes must be at most 200 (the lab has one /24)')
  return {
    seeds,
    nodes,
    durationMs: (whole('duration', values.duration, 1) ?? (short ? 40 : 300)) * 1000,
    recoveryBoundMs: (whole('recovery-bound', values['recovery-bound'], 1) ?? 30) * 1000,
    pressure: values.pressure === true,
    idle: values.idle === true,
    netns: values['no-netns'] !== true,
    short,
    bench,
    nodeArgs: values['node-arg'] ?? [],
    replicationFactor,
    unbundled: values.unbundled === true,
    insideLab: values['inside-lab']
  }
}
