import type { ShardMap } from '@clusterfunk/sharding'

/** Formats rows as an aligned text table with a header line. */
export function table (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string => cells.map((c, i) => i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)).join('  ')
  return [line(header), line(widths.map(w => '-'.repeat(w))), ...rows.map(line)].map(l => `    ${l}`).join('\n')
}

/** The shard table of a map: node, weight, shards, share of all shards. */
export function shardTable (map: ShardMap): string {
  return table(['node', 'weight', 'shards', 'share'], map.nodes().map(n => [
    n.id, String(n.weight), String(n.shards), `${(100 * n.shards / map.shardCount).toFixed(1)} %`
  ]))
}
