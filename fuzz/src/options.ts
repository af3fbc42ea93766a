import { parseArgs } from 'node:util'

/** Which clusters a run attacks. */
export type ClusterKind = 'plain' | 'secured'

/** What `npm run fuzz` is started with. */
export interface FuzzOptions {
  seed: number
  /** Inputs per port for the random and structured phases. */
  inputs: number
  /** Wall-clock bound of the whole run (ms); phases end early when it is spent. */
  durationMs: number
  short: boolean
  clusters: ClusterKind[]
  nodes: number
  /** Idle connections opened against each gRPC port in the connection flood. */
  idleConnections: number
  /** How long a captured packet is held before it is replayed (ms). */
  replayDelayMs: number
  /** Bytes a gRPC frame header claims (and never sends). */
  oversizeBytes: number
  /** Bytes each of the 8 concurrent Deliver calls with a wrong proof sends: 60 MiB, 16 MiB in the short run (still 2× the RSS goal in all). */
  deliverBytes: number
}

/** A bad command line. */
export class FuzzUsageError extends Error {
  override readonly name = 'FuzzUsageError'
}

export const FUZZ_USAGE = `usage: npm run fuzz -- [options]
  --seed <n>               seed of every random choice (default: random, printed)
  --short                  the CI run: fewer inputs, smaller floods, under ~2 minutes
  --inputs <n>             inputs per port in the random and structured phases (default 100000; short 2000)
  --duration <seconds>     stop every phase once the run took this long (default 1800; short 100)
  --cluster <kind>         plain, secured or both (default both)
  --nodes <n>              kv-server processes per cluster (default 3)
  --idle-connections <n>   idle connections per gRPC port (default 20000; short 1000; capped by the fd limit)
  --replay-delay <seconds> how long a captured packet waits before its replay (default 60; short 3)`

function whole (flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) throw new FuzzUsageError(`--${flag} must be a whole number >= ${min}, not "${raw}"`)
  return n
}

/** Parses the fuzzer's flags. @throws FuzzUsageError naming the flag */
export function parseFuzzOptions (argv: readonly string[], randomSeed: () => number): FuzzOptions {
  let values
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        seed: { type: 'string' },
        short: { type: 'boolean' },
        inputs: { type: 'string' },
        duration: { type: 'string' },
        cluster: { type: 'string' },
        nodes: { type: 'string' },
        'idle-connections': { type: 'string' },
        'replay-delay': { type: 'string' }
      }
    }))
  } catch (err) {
    throw new FuzzUsageError((err as Error).message)
  }
  const short = values.short === true
  const cluster = values.cluster ?? 'both'
  if (cluster !== 'plain' && cluster !== 'secured' && cluster !== 'both') throw new FuzzUsageError(`--cluster is plain, secured or both, not "${cluster}"`)
  const nodes = whole('nodes', values.nodes, 1) ?? 3
  if (nodes > 7) throw new FuzzUsageError('--nodes is at most 7 on one machine')
  return {
    seed: whole('seed', values.seed, 0) ?? randomSeed(),
    inputs: whole('inputs', values.inputs, 1) ?? (short ? 2_000 : 100_000),
    durationMs: 1000 * (whole('duration', values.duration, 1) ?? (short ? 100 : 1_800)),
    short,
    clusters: cluster === 'both' ? ['plain', 'secured'] : [cluster],
    nodes,
    idleConnections: whole('idle-connections', values['idle-connections'], 0) ?? (short ? 1_000 : 20_000),
    replayDelayMs: 1000 * (whole('replay-delay', values['replay-delay'], 0) ?? (short ? 3 : 60)),
    oversizeBytes: 60 * 1024 * 1024,
    deliverBytes: (short ? 16 : 60) * 1024 * 1024
  }
}
