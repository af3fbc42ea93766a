import { median, printFigure, type BenchOptions } from '@clusterfunk/core/bench'
import { converged, startMembers, stopAll } from './cluster-kit.js'
import type { Swim } from '../src/index.js'

/** N members (LAN preset) all join through the first at once: time until every one lists all N alive. */
async function joinTime (n: number, tag: string): Promise<number> {
  const nodes = await startMembers(n, `${tag}-`, { preset: 'lan' })
  try {
    const seed = (nodes[0] as Swim).address()
    const t0 = performance.now()
    await Promise.all(nodes.slice(1).map(async node => await node.join([seed])))
    await converged(nodes, n)
    return performance.now() - t0
  } finally {
    await stopAll(nodes)
  }
}

/**
 * Join convergence on real sockets over loopback, LAN preset, every member
 * in this process: the median over trials of the time from the first join
 * call until every member lists all N as alive. Serf: 0.9 s for 16.
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const trials = options.tiny ? 1 : 3
  for (const n of [16, 32]) {
    const size = options.tiny ? 4 : n
    const times: number[] = []
    for (let t = 0; t < trials; t++) times.push(await joinTime(size, `j${n}t${t}`))
    report({ bench: `swim.join.${n}`, value: median(times), unit: 'ms', better: 'lower' })
  }
}
