import { waitFor } from '@clusterfunk/core'
import { LivenessChecker, type NodeDeadEvent } from '@clusterfunk/liveness'
import { ShardMap, diff } from '@clusterfunk/sharding'
import { startNode, stopNode, type DemoNode } from './nodes.js'

type Say = (line?: string) => void

const INTERVAL_MS = 100
const RETRIES = 3

/**
 * Part 2: a liveness checker probes three responder processes; one is
 * killed with kill -9, the checker declares it dead, the shard map is
 * recomputed without it, and the node comes back on the same port.
 */
export async function livenessWalkthrough (shardCount: number, say: Say): Promise<void> {
  say(`Part 2: a liveness checker (probe every ${INTERVAL_MS} ms, dead after ${RETRIES} misses) and a kill -9`)
  say()
  const checker = new LivenessChecker({}, { intervalMs: INTERVAL_MS, retries: RETRIES })
  const nodes: DemoNode[] = []
  try {
    for (const id of ['n1', 'n2', 'n3']) nodes.push(await startNode(id))
    await checker.start()
    for (const n of nodes) checker.add(n.id, { host: '127.0.0.1', port: n.port })
    await waitFor(() => nodes.every(n => checker.nodeStatus(n.id)?.state === 'alive'), { timeoutMs: 10_000, what: 'every node alive' })
    for (const n of nodes) {
      const s = checker.nodeStatus(n.id)
      say(`  ${n.id}: pid ${String(n.child.pid)}, udp 127.0.0.1:${n.port}, alive, rtt ${(s?.lastRttMs ?? NaN).toFixed(3)} ms`)
    }
    const map = ShardMap.init(shardCount, nodes.map(n => n.id))

    const victim = nodes[1] as DemoNode
    const dead = new Promise<NodeDeadEvent>(resolve => {
      checker.addEventListener('node:dead', e => { if (e.detail.nodeId === victim.id) resolve(e.detail) })
    })
    const killedAt = performance.now()
    await stopNode(victim, 'SIGKILL')
    say()
    say(`  kill -9 ${String(victim.child.pid)} (${victim.id})`)
    const verdict = await withTimeout(dead, 10_000, `${victim.id} to be declared dead`)
    const detectMs = performance.now() - killedAt
    say(`  node:dead ${verdict.nodeId} after ${detectMs.toFixed(0)} ms (${verdict.misses} missed probes)`)

    const survivors = map.update(nodes.filter(n => n !== victim).map(n => n.id))
    const d = diff(map, survivors)
    const takers = [...d.nodes].filter(([, c]) => c.gained.length > 0).map(([id, c]) => `${id} +${c.gained.length}`)
    say(`  the map without ${victim.id}: its ${map.countOf(victim.id)} shards move (${takers.join(', ')}), nothing else does`)

    const restartedAt = performance.now()
    const revived = await startNode(victim.id, victim.port)
    nodes[1] = revived
    await waitFor(() => checker.nodeStatus(victim.id)?.state === 'alive', { timeoutMs: 10_000, what: `${victim.id} alive again` })
    say()
    say(`  ${victim.id} restarted on the same port (pid ${String(revived.child.pid)}): node:alive after ${(performance.now() - restartedAt).toFixed(0)} ms`)
    say()
  } finally {
    await checker.stop()
    await Promise.all(nodes.map(async n => { await stopNode(n) }))
  }
}

async function withTimeout<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`timed out after ${ms} ms waiting for ${what}`)) }, ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
