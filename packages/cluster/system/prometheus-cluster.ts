/**
 * A real three-node cluster for `prometheus-check`: in-process `Cluster`
 * nodes on 127.0.0.1 (zeroconf off), each serving its own `/metrics`.
 */
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createCluster, type Cluster } from '../src/index.js'
import { poll } from './checks.js'

export const CLUSTER_SHARDS = 1_024

export class MetricsCluster {
  readonly nodes: Cluster[] = []
  private readonly dirs: string[] = []

  /** Starts nodes a, b, c (b and c join a), and waits until all are Operational on one map. */
  async start (): Promise<void> {
    const make = (nodeId: string, join: string[]): Cluster => {
      const dataDir = mkdtempSync(join_(tmpdir(), `clusterfunk-prom-${nodeId}-`))
      this.dirs.push(dataDir)
      const node = createCluster({ name: 'syscheck', nodeId, dataDir, zeroconf: false, swimPort: 0, swimPreset: 'local', shards: CLUSTER_SHARDS, bootstrapExpect: 3, metricsPort: 0, join })
      this.nodes.push(node)
      return node
    }
    const a = make('a', [])
    await a.start()
    const others = ['b', 'c'].map(id => make(id, [a.swimAddress()]))
    await Promise.all(others.map(async n => { await n.start() }))
    await poll('three nodes Operational on one map', 30_000, 50, async () => {
      const v = a.shards.version
      return this.nodes.every(n => n.state === 'Operational' && n.shards.version === v && v > 0) ? v : undefined
    })
  }

  /** host:port of every node's metrics server, for the scrape config. */
  targets (): string[] {
    return this.nodes.map(n => {
      const url = n.metricsUrl()
      if (url === undefined) throw new Error(`${n.nodeId} serves no metrics`)
      return new URL(url).host
    })
  }

  /** Sends one datagram of garbage to a node's SWIM port, which it must drop and count. */
  async sendGarbage (): Promise<void> {
    const [host, port] = (this.nodes[0] as Cluster).swimAddress().split(':')
    const socket = createSocket('udp4')
    await new Promise<void>((resolve, reject) => {
      socket.send(Buffer.from('not a swim packet'), Number(port), host, err => { if (err == null) resolve(); else reject(err) })
    })
    await new Promise<void>(resolve => { socket.close(() => { resolve() }) })
  }

  async stop (): Promise<void> {
    await Promise.all(this.nodes.map(async n => { await n.stop() }))
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true })
  }
}

const join_ = join
