import { median, nanosPerCall, printFigure, sampleMicros, type BenchOptions, type Figure } from '@clusterfunk/core/bench'
import { ShardMap, decodeShardMap, diff, encodeShardMap, shardForKey } from '../src/index.js'

/**
 * Shard-map figures at the size clusterfunk published (10 000 shards over
 * 50 nodes): update on a join and a leave with replication factor 3 (and
 * 1, the unreplicated map), encode, decode, lookups and key hashing, the
 * copies a 51st node's join makes, and the encoding sizes.
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const shards = options.tiny ? 200 : 10_000
  const nodeCount = options.tiny ? 5 : 50
  const iterations = options.tiny ? 5 : 2_000
  const calls = options.tiny ? 1_000 : 5_000_000
  const ids = Array.from({ length: nodeCount }, (_, i) => `node-${String(i).padStart(2, '0')}`)
  const joined = [...ids, `node-${nodeCount}`]
  const left = ids.slice(1)
  const map = ShardMap.init(shards, ids)
  const r3 = ShardMap.init(shards, ids, { replicationFactor: 3 })
  const fig = (bench: string, value: number, unit: string, goal?: number): Figure =>
    goal === undefined ? { bench, value, unit, better: 'lower' } : { bench, value, unit, goal, better: 'lower' }

  report(fig('sharding.update.join.median', median(sampleMicros(iterations, () => r3.update(joined), () => undefined)), 'us', 500))
  report(fig('sharding.update.leave.median', median(sampleMicros(iterations, () => r3.update(left), () => undefined)), 'us', 500))
  report(fig('sharding.update.join.r1.median', median(sampleMicros(iterations, () => map.update(joined), () => undefined)), 'us', 200))
  report(fig('sharding.update.leave.r1.median', median(sampleMicros(iterations, () => map.update(left), () => undefined)), 'us', 200))
  const big = map.update(joined)
  const big3 = r3.update(joined)
  const bytes = encodeShardMap(big)
  report(fig('sharding.encode.median', median(sampleMicros(iterations, () => encodeShardMap(big), () => undefined)), 'us', 1000))
  report(fig('sharding.decode.median', median(sampleMicros(iterations, () => decodeShardMap(bytes), () => undefined)), 'us', 1000))

  const mask = 1023
  const lookups = Int32Array.from({ length: mask + 1 }, (_, i) => (i * 7919) % shards)
  report(fig('sharding.nodeFor', nanosPerCall(calls, (i) => (map.nodeFor(lookups[i & mask] as number) as string).length), 'ns', 50))
  const strings = Array.from({ length: mask + 1 }, (_, i) => `key-${i.toString(16).padStart(12, '0')}`)
  report(fig('sharding.shardFor.string16', nanosPerCall(calls, (i) => map.shardFor(strings[i & mask] as string)), 'ns', 100))
  const unicode = strings.map((s) => `ключ${s.slice(4)}`)
  report(fig('sharding.shardFor.unicode16', nanosPerCall(calls, (i) => map.shardFor(unicode[i & mask] as string)), 'ns'))
  const byteKeys = strings.map((s) => new TextEncoder().encode(s))
  report(fig('sharding.shardFor.bytes16', nanosPerCall(calls, (i) => map.shardFor(byteKeys[i & mask] as Uint8Array)), 'ns'))
  report(fig('sharding.shardFor.int', nanosPerCall(calls, (i) => map.shardFor((i & 0xfffff) * 2654435761)), 'ns'))
  report(fig('sharding.shardForKey.string16', nanosPerCall(calls, (i) => shardForKey(strings[i & mask] as string, shards)), 'ns'))

  report(fig('sharding.join.moved', diff(r3, big3).transfers, 'shards', 3 * Math.ceil(shards / (nodeCount + 1))))
  report(fig('sharding.join.moved.r1', diff(map, big).moved, 'shards', Math.ceil(shards / (nodeCount + 1))))
  report(fig('sharding.leave.moved', diff(r3, r3.update(left)).transfers, 'shards', r3.countOf(ids[0] as string, { role: 'any' })))
  report(fig('sharding.encode.bytes', bytes.length, 'bytes'))
  report(fig('sharding.encode.r3.bytes', encodeShardMap(big3).length, 'bytes'))
}
