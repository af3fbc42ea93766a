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
  /** What the cluster answered in samples where it was not Operational (the first 20). */
  readonly downSamples: string[] = []
  /** Each node's RSS when the current flood began (MiB); its growth under the flood is measured from there. */
  private floodStart: number[] = []
  /** Largest RSS growth of any node under each flood, over the RSS it had when the flood began (MiB). */
  readonly floodGrowthMb = new Map<string, number>()
  /** Each node's RSS (MiB) at the end of each phase, for the table: where memory went. */
  readonly marks: Array<{ phase: string, rssMb: number[] }> = []

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

  /**
   * Marks a flood phase: samples taken until `endFlood` count towards the
   * operational fraction, and RSS growth is measured from each node's RSS now.
   */
  async beginFlood (name: string): Promise<void> {
    this.floodStart = await Promise.all(this.cluster.nodes.map(async n => (await processUsage(n.process.pid))?.rssMb ?? Number.POSITIVE_INFINITY))
    this.floodGrowthMb.set(name, Math.max(0, this.floodGrowthMb.get(name) ?? 0))
    this.flood = name
  }

  endFlood (): void { this.flood = undefined }

  /** Records each node's RSS now, at the end of `phase`. */
  async mark (phase: string): Promise<void> {
    this.marks.push({ phase, rssMb: await Promise.all(this.cluster.nodes.map(async n => (await processUsage(n.process.pid))?.rssMb ?? 0)) })
  }

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
        const flood = this.flood
        if (flood !== undefined) this.floodGrowthMb.set(flood, Math.max(this.floodGrowthMb.get(flood) ?? 0, u.rssMb - (this.floodStart[i] ?? u.rssMb)))
      }))
      const flood = this.flood
      if (flood !== undefined) {
        const why = await this.cluster.notOperational()
        const ok = why === undefined
        if (!ok && this.downSamples.length < 20) this.downSamples.push(`${flood}: ${why}`)
        const f = this.byFlood.get(flood) ?? { ok: 0, total: 0 }
        this.byFlood.set(flood, f)
        for (const t of [f, this.operationalSamples]) { t.total++; if (ok) t.ok++ }
      }
    } finally {
      this.sampling = false
    }
  }

  /** Largest RSS growth of any node under any flood, over its RSS when that flood began (MiB). */
  maxFloodGrowthMb (): number {
    return Math.max(0, ...this.floodGrowthMb.values())
  }

  /** Largest RSS growth over the baseline at start, any node, whatever the phase (MiB). */
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
