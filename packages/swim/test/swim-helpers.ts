import { waitFor, type Metrics } from '@clusterfunk/core'
import type { SwimConfig } from '../src/config.js'
import { Swim, type SwimInit } from '../src/index.js'

/** The local preset sped up five times, so real-socket tests finish in seconds. */
export const FAST: Partial<SwimConfig> = {
  probeIntervalMs: 200,
  probeTimeoutMs: 80,
  gossipIntervalMs: 40,
  pushPullIntervalMs: 2000,
  gossipToTheDeadTimeMs: 5000,
  tcpTimeoutMs: 1000
}

/** Options for one in-process test member on 127.0.0.1, a free port, fast timing. */
export function fastInit (id: string, extra: Partial<SwimInit> = {}): SwimInit {
  return { id, port: 0, preset: 'local', ...extra, config: { ...FAST, ...(extra.config ?? {}) } }
}

/** Starts `n` members named `<prefix>0..`, joins each through the first, and waits until every one lists all. */
export async function startCluster (n: number, prefix: string, extra: Partial<SwimInit> = {}, metrics?: (i: number) => Metrics): Promise<Swim[]> {
  const nodes: Swim[] = []
  for (let i = 0; i < n; i++) {
    const node = new Swim(metrics === undefined ? {} : { metrics: metrics(i) }, fastInit(`${prefix}${i}`, extra))
    nodes.push(node)
    await node.start()
  }
  const seed = (nodes[0] as Swim).address()
  await Promise.all(nodes.slice(1).map(async node => await node.join([seed])))
  await waitFor(() => nodes.every(node => node.members().length === n), { timeoutMs: 15_000, what: `${n} members to see each other` })
  return nodes
}

/** Stops every member. */
export async function stopAll (nodes: readonly Swim[]): Promise<void> {
  await Promise.all(nodes.map(async n => { await n.stop() }))
}
