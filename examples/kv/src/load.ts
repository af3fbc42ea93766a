import { KvClient, type KvReply } from './client.js'

export interface LoadInit {
  /** kv base URLs; request i enters at `endpoints[i % length]`. */
  endpoints: readonly string[]
  /** Requests in all: the first `keys` write each key once, the rest read them back. */
  requests: number
  keys: number
  /** Requests in flight at most. */
  concurrency: number
  client?: KvClient
}

export interface LoadSample {
  method: 'GET' | 'PUT'
  key: string
  entry: string
  reply: KvReply
}

export interface LoadReport {
  /** Requests answered from each node's store (`x-served-by`). */
  servedBy: Record<string, number>
  /** Requests the entry node forwarded to the owner. */
  forwarded: number
  /** Non-2xx answers (404 of a key never written included), and reads whose value differed from the one written. */
  failed: number
  wrongValues: number
  p50Ms: number
  p99Ms: number
  samples: LoadSample[]
}

function quantile (sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0
}

/** The value written for `key`, so reads can be checked. */
export function valueOf (key: string): string {
  return `value-of-${key}`
}

/**
 * Sends `requests` requests over `keys` keys with at most `concurrency` in
 * flight: writes every key first, then reads (a read never races the write
 * of its own key, so every read must find the value written).
 */
export async function runLoad (init: LoadInit): Promise<LoadReport> {
  if (init.endpoints.length === 0) throw new Error('runLoad needs at least one endpoint')
  const client = init.client ?? new KvClient()
  const report: LoadReport = { servedBy: {}, forwarded: 0, failed: 0, wrongValues: 0, p50Ms: 0, p99Ms: 0, samples: [] }
  const latencies: number[] = []
  const one = async (i: number): Promise<void> => {
    const key = `key-${i % init.keys}`
    const entry = init.endpoints[i % init.endpoints.length] as string
    const method = i < init.keys ? 'PUT' : 'GET'
    const reply = method === 'PUT' ? await client.put(entry, key, valueOf(key)) : await client.get(entry, key)
    latencies.push(reply.ms)
    report.samples.push({ method, key, entry, reply })
    if (reply.servedBy !== undefined) report.servedBy[reply.servedBy] = (report.servedBy[reply.servedBy] ?? 0) + 1
    if (reply.via !== undefined) report.forwarded++
    if (reply.status >= 300) report.failed++
    else if (method === 'GET' && reply.body !== valueOf(key)) report.wrongValues++
  }
  const phase = async (from: number, to: number): Promise<void> => {
    let next = from
    const worker = async (): Promise<void> => {
      while (next < to) await one(next++)
    }
    await Promise.all(Array.from({ length: Math.max(1, Math.min(init.concurrency, to - from)) }, worker))
  }
  const writes = Math.min(init.keys, init.requests)
  await phase(0, writes)
  await phase(writes, init.requests)
  latencies.sort((a, b) => a - b)
  report.p50Ms = quantile(latencies, 0.5)
  report.p99Ms = quantile(latencies, 0.99)
  return report
}
