import { waitFor } from '@clusterfunk/core'
import type { SwimConfig } from '../src/config.js'
import { Swim, type SwimPreset } from '../src/index.js'
import { spawnMember, type MemberProcess } from '../test/fixtures/spawn.js'

/**
 * Real-socket clusters for the benchmarks: members in this process (one
 * event loop, loopback UDP/TCP) and victims in processes of their own.
 */

export interface ClusterSpec {
  preset: SwimPreset
  config?: Partial<SwimConfig>
}

/** Starts `n` members named `<prefix><i>` on free ports of 127.0.0.1 (not joined yet). */
export async function startMembers (n: number, prefix: string, spec: ClusterSpec): Promise<Swim[]> {
  const nodes = Array.from({ length: n }, (_, i) => new Swim({}, { id: `${prefix}${i}`, port: 0, preset: spec.preset, config: spec.config ?? {} }))
  await Promise.all(nodes.map(async node => { await node.start() }))
  return nodes
}

/** Joins every member through the first and waits until each lists `expected` live members. */
export async function joinAll (nodes: readonly Swim[], expected = nodes.length, timeoutMs = 60_000): Promise<void> {
  const seed = (nodes[0] as Swim).address()
  await Promise.all(nodes.slice(1).map(async n => await n.join([seed])))
  await converged(nodes, expected, timeoutMs)
}

/** Waits until every member lists `expected` live members, all alive. */
export async function converged (nodes: readonly Swim[], expected: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(() => nodes.every(n => {
    const m = n.members()
    return m.length === expected && m.every(x => x.status === 'alive')
  }), { timeoutMs, intervalMs: 5, what: `${expected} members everywhere` })
}

/** Spawns a victim member that joins through `seed` and waits until every member sees it alive. */
export async function spawnVictim (id: string, seed: Swim, nodes: readonly Swim[], spec: ClusterSpec): Promise<MemberProcess> {
  const victim = await spawnMember({ id, join: seed.address(), preset: spec.preset, config: spec.config as Record<string, number> ?? {} })
  await waitFor(() => nodes.every(n => n.member(id)?.status === 'alive'), { timeoutMs: 30_000, what: `${id} to be seen` })
  return victim
}

export async function stopAll (nodes: readonly Swim[]): Promise<void> {
  await Promise.all(nodes.map(async n => { await n.stop() }))
}

/** Resolves after `ms` of real time (benchmarks measure real time on purpose). */
export async function settle (ms: number): Promise<void> {
  await new Promise(resolve => { setTimeout(resolve, ms) })
}
