/** Sums of every metric a node serves on /metrics, by name and by `name{labels}`. */
export type Scrape = Map<string, number>

/** Reads a node's /metrics; an empty map when it cannot. */
export async function scrape (port: number): Promise<Scrape> {
  const out: Scrape = new Map()
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(3_000) })).text()
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line)
      if (m === null) continue
      const v = Number(m[3])
      if (!Number.isFinite(v)) continue
      const name = m[1] as string
      out.set(name, (out.get(name) ?? 0) + v)
      if (m[2] !== undefined) out.set(`${name}${m[2]}`, v)
    }
  } catch {
    // A node that does not answer has no figures: the caller sees an empty map.
  }
  return out
}

/** `after − before` of one series (0 when absent). */
export function delta (before: Scrape, after: Scrape, series: string): number {
  return (after.get(series) ?? 0) - (before.get(series) ?? 0)
}

/** Every counter whose name says it counts dropped or rejected input, summed. */
export function dropsTotal (s: Scrape): number {
  let sum = 0
  for (const [k, v] of s) if (!k.includes('{') && /(dropped|rejected)[a-z_]*_total$/.test(k)) sum += v
  return sum
}
