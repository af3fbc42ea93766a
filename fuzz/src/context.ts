import type { Random } from '@clusterfunk/core'
import type { FuzzCluster } from './cluster.js'
import type { FuzzOptions } from './options.js'
import type { Watcher } from './watch.js'

/** The ports of a node the suite attacks. */
export const PORTS = ['swim-udp', 'swim-tcp', 'liveness-udp', 'raft-grpc', 'mgmt-grpc', 'metrics-http', 'kv-http'] as const
export type PortName = typeof PORTS[number]

/** What one cluster's run counted. */
export class Tally {
  readonly inputs = new Map<PortName, number>(PORTS.map(p => [p, 0]))
  /** Replays sent after a control copy of the same input was accepted fresh, and how many were accepted again. */
  readonly replays = { tried: 0, accepted: 0, controlsRefused: 0 }
  readonly unauthenticated = { tried: 0, accepted: 0 }
  /** Phases after which the cluster was not Operational again within the bound (then restarted). */
  stalls = 0
  /** One line for each thing accepted that should not have been, each stall, each oddity. */
  readonly findings: string[] = []
  /** Named measurements (ms to an early 413, ...). */
  readonly measures = new Map<string, number>()

  add (port: PortName, n = 1): void { this.inputs.set(port, (this.inputs.get(port) ?? 0) + n) }

  finding (line: string): void {
    if (this.findings.length < 200) this.findings.push(line)
  }
}

/** Everything a phase needs. */
export interface Ctx {
  cluster: FuzzCluster
  random: Random
  options: FuzzOptions
  tally: Tally
  watcher: Watcher
  /** performance.now() after which phases stop early. */
  deadline: number
  log: (line: string) => void
}

/** True while the run has time left. */
export function timeLeft (ctx: Ctx): boolean {
  return performance.now() < ctx.deadline
}

/** Runs `task(i)` for i in 0..n-1 with at most `concurrency` at once, stopping early when time is up. */
export async function pool (ctx: Ctx, n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0
  let done = 0
  const worker = async (): Promise<void> => {
    while (next < n && timeLeft(ctx)) {
      const i = next++
      await task(i)
      done++
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker))
  return done
}
