import { readdir, readFile } from 'node:fs/promises'
import type { FuzzCluster } from './cluster.js'

/** RSS in MiB and open file descriptors of a process, from /proc; undefined once it is gone. */
export async function processUsage (pid: number): Promise<{ rssMb: number, fds: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN)
    const fds = (await readdir(`/proc/${pid}/fd`)).length
    return { rssMb: kb / 1024, fds }
  } catch {
    return undefined
  }
}

/** What the watcher saw of one node. */
export interface NodeWatch {
  id: string
  baselineRssMb: number
  peakRssMb: number
  peakFds: number
}

/**
 * Samples every node's RSS and fds while the attacks run, and — while a
 * flood is on — whether the cluster is Operational (every node answers
 * GetStatus Operational and names one leader). Sampling is on a timer so it
 * sees the worst moment of a flood, not only its end.
 */
export class Watcher {
  readonly nodes: NodeWatch[]
  private timer: NodeJS.Timeout | undefined
  private sampling = false
  private flood: string | undefined
  readonly operationalSamples = { ok: 0, total: 0 }
  /** Operational samples per flood phase, for the table. */
  readonly byFlood = new Map<string, { ok: number, total: number }>()

  constructor (private readonly cluster: FuzzCluster, private readonly intervalMs = 500) {
    this.nodes = cluster.nodes.map(n => ({ id: n.id, baselineRssMb: 0, peakRssMb: 0, peakFds: 0 }))
  }

  async start (): Promise<void> {
    for (const [i, n] of this.cluster.nodes.entries()) {
      const u = await processUsage(n.process.pid)
      const w = this.nodes[i] as NodeWatch
      w.baselineRssMb = u?.rssMb ?? 0
      w.peakRssMb = w.baselineRssMb
      w.peakFds = u?.fds ?? 0
    }
    this.timer = setInterval(() => { void this.sample() }, this.intervalMs)
    this.timer.unref()
  }

  /** Marks a flood phase: samples taken until `endFlood` count towards the operational fraction. */
  beginFlood (name: string): void { this.flood = name }
  endFlood (): void { this.flood = undefined }

  /** Takes one sample now (a flood calls it while it is at its worst). */
  async sample (): Promise<void> {
    if (this.sampling) return
    this.sampling = true
    try {
      await Promise.all(this.cluster.nodes.map(async (n, i) => {
        const u = await processUsage(n.process.pid)
        if (u === undefined) return
        const w = this.nodes[i] as NodeWatch
        w.peakRssMb = Math.max(w.peakRssMb, u.rssMb)
        w.peakFds = Math.max(w.peakFds, u.fds)
      }))
      const flood = this.flood
      if (flood !== undefined) {
        const ok = await this.cluster.operational()
        const f = this.byFlood.get(flood) ?? { ok: 0, total: 0 }
        this.byFlood.set(flood, f)
        for (const t of [f, this.operationalSamples]) { t.total++; if (ok) t.ok++ }
      }
    } finally {
      this.sampling = false
    }
  }

  /** Largest RSS growth over the baseline, any node (MiB). */
  maxRssGrowthMb (): number {
    return Math.max(0, ...this.nodes.map(n => n.peakRssMb - n.baselineRssMb))
  }

  peakFds (): number {
    return Math.max(0, ...this.nodes.map(n => n.peakFds))
  }

  operationalFraction (): number {
    const s = this.operationalSamples
    return s.total === 0 ? 1 : s.ok / s.total
  }

  stop (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
  }
}
