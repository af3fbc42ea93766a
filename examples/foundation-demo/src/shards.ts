import { ShardMap, diff, encodeShardMap, type NodeSet } from '@clusterfunk/sharding'
import { shardTable } from './table.js'

type Say = (line?: string) => void

/** Describes what one update moved: the count against the ideal, and who gained or lost. */
function movement (prev: ShardMap, next: ShardMap, say: Say, joiner?: string): void {
  const d = diff(prev, next)
  const changes = [...d.nodes].filter(([, c]) => c.gained.length > 0 || c.lost.length > 0)
    .map(([id, c]) => `${id} ${c.gained.length > 0 ? `+${c.gained.length}` : `-${c.lost.length}`}`)
  const exact = joiner === undefined ? '' : ` (exactly ${joiner}'s new share: no shard moved between the others)`
  say(`  moved ${d.moved} shards${d.moved === next.countOf(joiner ?? '') ? exact : ''}: ${changes.join(', ')}`)
}

/**
 * Part 1: a shard map through joins, a weighted join and a leave, showing
 * the balance after each step and how few shards every change moves.
 */
export function shardWalkthrough (shardCount: number, say: Say): ShardMap {
  say(`Part 1: ${shardCount} shards over nodes that come and go`)
  say()
  let map = ShardMap.init(shardCount, ['n1', 'n2', 'n3'])
  say('  three nodes of equal weight share the shards to within one:')
  say(shardTable(map))
  say()

  const steps: Array<{ what: string, nodes: NodeSet, joiner?: string }> = [
    { what: 'n4 joins: it takes its share, and only those shards move', nodes: ['n1', 'n2', 'n3', 'n4'], joiner: 'n4' },
    { what: 'n5 joins with weight 2: it takes twice the share of the others', nodes: { n1: 1, n2: 1, n3: 1, n4: 1, n5: 2 }, joiner: 'n5' },
    { what: 'n2 leaves: its shards, and only its shards, move', nodes: { n1: 1, n3: 1, n4: 1, n5: 2 } }
  ]
  for (const step of steps) {
    const next = map.update(step.nodes)
    say(`  ${step.what}`)
    movement(map, next, say, step.joiner)
    say(shardTable(next))
    say()
    map = next
  }

  const bytes = encodeShardMap(map)
  say(`  the map encodes to ${bytes.length} bytes (one byte per shard plus the node list), the form Raft will replicate`)
  for (const key of ['user:42', 'order:2026-11-22:0007', 'cart:beef']) {
    const shard = map.shardFor(key)
    say(`  key ${JSON.stringify(key)} → shard ${shard} → ${map.nodeFor(shard) ?? '(no owner)'}`)
  }
  say()
  return map
}
