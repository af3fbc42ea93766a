import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createLogger, silentLogger, waitFor } from '@clusterfunk/core'
import { createCluster, type Cluster, type ClusterInit } from '../../src/index.js'

/** Shards in the test clusters: enough to spread, small enough to encode fast. */
export const TEST_SHARDS = 1_024

/** Starts and stops test nodes, and removes their data directories. */
export class TestNodes {
  readonly nodes: Cluster[] = []
  private readonly dirs: string[] = []

  /** A fresh data directory, removed by `cleanup()`. */
  async dir (): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-cluster-'))
    this.dirs.push(dir)
    return dir
  }

  /** Creates a node on 127.0.0.1 with zeroconf off and fast timings (not started); it logs only when CLUSTERFUNK_LOG is set. */
  async create (init: Partial<ClusterInit>): Promise<Cluster> {
    const node = createCluster({
      name: 'test',
      dataDir: init.dataDir ?? await this.dir(),
      zeroconf: false,
      swimPort: 0,
      swimPreset: 'local',
      shards: TEST_SHARDS,
      ...init
    }, { logger: process.env.CLUSTERFUNK_LOG !== undefined ? createLogger('cluster') : silentLogger('cluster') })
    this.nodes.push(node)
    return node
  }

  /** Stops every node (in parallel) and removes every directory. */
  async cleanup (): Promise<void> {
    await Promise.all(this.nodes.map(async n => { await n.stop() }))
    this.nodes.length = 0
    await Promise.all(this.dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
    this.dirs.length = 0
  }
}

/** Waits until every node is Operational with the same committed map version, and returns that version. */
export async function waitForAgreement (nodes: readonly Cluster[], members: readonly string[], timeoutMs = 20_000): Promise<number> {
  const want = [...members].sort().join(',')
  return await waitFor(() => {
    const first = nodes[0]
    if (first === undefined) return false
    const version = first.shards.version
    const ok = nodes.every(n => n.state === 'Operational' && n.shards.version === version &&
      (n.shards.map?.nodes().map(x => x.id).sort().join(',') ?? '') === want)
    return ok ? version : false
  }, { timeoutMs, intervalMs: 20, what: `every node Operational with a map of ${want}` })
}

/** Every shard has exactly one owner, among `members`, and each node answers the same. */
export function ownersAgree (nodes: readonly Cluster[], members: readonly string[]): boolean {
  const allowed = new Set(members)
  const first = nodes[0]
  if (first === undefined) return false
  for (let s = 0; s < TEST_SHARDS; s++) {
    const owner = first.shards.ownerOf(s)
    if (owner === undefined || !allowed.has(owner)) return false
    if (nodes.some(n => n.shards.ownerOf(s) !== owner)) return false
  }
  return true
}
