import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { DemoCluster } from '../src/demo/cluster.js'
import type { KvProcess } from '../src/demo/kv-process.js'

const KEYS = 150

/** Sends until a node answers other than 503 (or no answer), trying the nodes in turn, for at most `ms`. */
async function send (nodes: readonly KvProcess[], method: 'GET' | 'PUT', key: string, body: string | undefined, ms: number): Promise<{ status: number, text: string }> {
  const until = performance.now() + ms
  for (let i = 0; ; i++) {
    const node = nodes[i % nodes.length] as KvProcess
    try {
      const res = await fetch(`${node.http}/kv/${key}`, { method, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(3_000) })
      const text = await res.text()
      if (res.status !== 503) return { status: res.status, text }
    } catch {
      // No answer (the node is down): try the next.
    }
    if (performance.now() > until) return { status: 0, text: '' }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

/**
 * Three kv-server processes; every key written and acknowledged; one node
 * (not the leader) killed with kill -9; once the two left serve a map
 * without it, every key is read back. Returns the keys that came back
 * wrong or not at all.
 */
async function killOneAndReadBack (replicationFactor: number): Promise<{ lost: string[], acked: number }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'kv-replication-'))
  const cluster = new DemoCluster(root)
  try {
    const nodes = await cluster.start(3, 30_000, ['--replication-factor', String(replicationFactor), '--shards', '256'])
    const ids = nodes.map(n => n.id)
    await cluster.agreed({ ids, afterVersion: 0, since: performance.now(), timeoutMs: 60_000, what: 'three nodes Operational on one map' })
    const acked = new Map<string, string>()
    for (let k = 0; k < KEYS; k++) {
      const key = `key-${k}`
      const value = `value-${k}`
      const { status } = await send(nodes, 'PUT', key, value, 10_000)
      if (status === 204) acked.set(key, value)
    }
    expect(acked.size).to.equal(KEYS)
    const victim = nodes.find(n => n.now.role !== 'Leader') as KvProcess
    const before = cluster.version()
    victim.kill9()
    const rest = nodes.filter(n => n !== victim)
    await cluster.agreed({ ids: rest.map(n => n.id), afterVersion: before, since: performance.now(), timeoutMs: 60_000, what: 'the two left Operational on a map without the killed node' })
    const lost: string[] = []
    for (const [key, value] of acked) {
      const { status, text } = await send(rest, 'GET', key, undefined, 10_000)
      if (status !== 200 || text !== value) lost.push(`${key}: ${status} ${text}`)
    }
    return { lost, acked: acked.size }
  } finally {
    await cluster.killAll()
    await rm(root, { recursive: true, force: true })
  }
}

describe('kv with replicas on real processes', function () {
  this.timeout(180_000)

  it('R = 2: a kill -9 of one node of three loses no acknowledged key', async () => {
    const { lost, acked } = await killOneAndReadBack(2)
    expect(acked).to.equal(KEYS)
    expect(lost).to.deep.equal([])
  })

  it('R = 1 (the cache) loses the killed owner\'s acknowledged keys, which the same read-back catches', async () => {
    const { lost } = await killOneAndReadBack(1)
    expect(lost.length).to.be.greaterThan(0)
  })
})
