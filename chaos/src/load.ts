import type { Random } from '@clusterfunk/core'
import type { RequestRecord } from './checks.js'
import type { ChaosCluster } from './cluster.js'

/** How hard the load pushes. */
export interface LoadInit {
  workers: number
  /** Keys per worker: each key has one writer, so its puts are ordered. */
  keysPerWorker: number
  /** Pause between one worker's requests (ms). */
  pauseMs: number
  /** A request's client-side deadline (ms). */
  timeoutMs: number
}

/**
 * A light request load: each worker owns its keys and alternates puts
 * (values `<seq>`, increasing per key) and gets, through a random node
 * that the harness has not taken down — a paused node still gets requests,
 * as a real client would not know. Every answer is recorded for the checks.
 */
export class Load {
  readonly records: RequestRecord[] = []
  private running = false
  private workers: Array<Promise<void>> = []

  constructor (private readonly cluster: ChaosCluster, private readonly random: Random, private readonly init: LoadInit) {}

  start (): void {
    this.running = true
    this.workers = Array.from({ length: this.init.workers }, async (_, w) => { await this.work(w, this.random.fork()) })
  }

  async stop (): Promise<void> {
    this.running = false
    await Promise.all(this.workers)
  }

  /**
   * Reads every key in `keys` back through the live nodes, after the load
   * stopped: a key's answer is the first 200 (its sequence number) or 404
   * (undefined) from any node, tried in turn until `deadline`
   * (performance.now()). Keys that got neither are left out.
   */
  async readBack (keys: readonly string[], deadline: number): Promise<Map<string, number | undefined>> {
    const out = new Map<string, number | undefined>()
    for (const key of keys) {
      for (let attempt = 0; !out.has(key) && performance.now() < deadline; attempt++) {
        const targets = this.cluster.nodes.filter(n => !n.down && !n.paused)
        const node = targets[attempt % Math.max(1, targets.length)]
        if (node !== undefined) {
          const url = `http://${node.placement.launch.host ?? '127.0.0.1'}:${node.placement.ports.http}/kv/${key}`
          try {
            const res = await fetch(url, { signal: AbortSignal.timeout(this.init.timeoutMs) })
            const text = await res.text()
            if (res.status === 200) out.set(key, Number(text))
            else if (res.status === 404) out.set(key, undefined)
          } catch {
            // No answer from this node: try the next one.
          }
        }
        if (!out.has(key)) await new Promise(resolve => setTimeout(resolve, 50))
      }
    }
    return out
  }

  /** Answers by status code, for the report. */
  statusCounts (): Record<string, number> {
    const out: Record<string, number> = {}
    for (const r of this.records) out[String(r.status)] = (out[String(r.status)] ?? 0) + 1
    return out
  }

  private async work (w: number, random: Random): Promise<void> {
    const seqs = new Map<string, number>()
    const keys = Array.from({ length: this.init.keysPerWorker }, (_, k) => `w${w}-k${k}`)
    while (this.running) {
      const key = random.pick(keys)
      const targets = this.cluster.nodes.filter(n => !n.down)
      if (targets.length > 0) {
        const node = random.pick(targets)
        const url = `http://${node.placement.launch.host ?? '127.0.0.1'}:${node.placement.ports.http}/kv/${key}`
        if (random.chance(0.5)) {
          const seq = (seqs.get(key) ?? 0) + 1
          seqs.set(key, seq)
          await this.send('put', key, seq, url)
        } else {
          await this.send('get', key, undefined, url)
        }
      }
      await new Promise(resolve => setTimeout(resolve, this.init.pauseMs))
    }
  }

  private async send (op: 'get' | 'put', key: string, seq: number | undefined, url: string): Promise<void> {
    const start = performance.now()
    let status: number
    let headers: Headers | undefined
    let text = ''
    try {
      const res = await fetch(url, { method: op === 'put' ? 'PUT' : 'GET', ...(op === 'put' ? { body: String(seq) } : {}), signal: AbortSignal.timeout(this.init.timeoutMs) })
      status = res.status
      headers = res.headers
      text = await res.text()
    } catch {
      status = 0 // no answer: timed out or refused
    }
    const served = status === 200 || status === 204 || status === 404
    const num = (h: string): number | undefined => {
      const v = headers?.get(h)
      return v === null || v === undefined ? undefined : Number(v)
    }
    this.records.push({
      op,
      key,
      seq: op === 'put' ? seq : (status === 200 ? Number(text) : undefined),
      start,
      end: performance.now(),
      status,
      servedBy: served ? headers?.get('x-served-by') ?? undefined : undefined,
      shard: served ? num('x-kv-shard') : undefined,
      mapVersion: served ? num('x-kv-map-version') : undefined
    })
  }
}
