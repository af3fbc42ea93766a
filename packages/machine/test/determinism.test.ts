import { expect } from 'chai'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { silentLogger, waitFor } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import { MachineNode } from '../src/index.js'
import { ticketMachine } from './helpers/ticket.js'

type Node = MachineNode<{ ticket: number, draws: number[] }, { user?: string }>

async function until (what: string, limitMs: number, fn: () => boolean | Promise<boolean>): Promise<void> {
  await waitFor(async () => await fn() || undefined, { timeoutMs: limitMs, intervalMs: 20, what })
}

describe('determinism: now() and rand() give byte-identical data on every replica', function () {
  this.timeout(120_000)
  let dir: string
  let ports: number[]
  const nodes: Node[] = []

  const make = (i: number, extra: Partial<ConstructorParameters<typeof MachineNode>[1]> = {}): Node => new MachineNode(ticketMachine, {
    nodeId: `n${i}`, address: `127.0.0.1:${ports[i]}`, raftPort: ports[i + 4], dataDir: path.join(dir, `n${i}`), preset: 'fast',
    ...(i > 0 && extra.restore === undefined ? { join: `127.0.0.1:${ports[0]}` } : {}), ...extra
  }, { logger: silentLogger() })

  const dataOf = (n: Node): string => JSON.stringify(n.fsm.data)
  const settled = async (list: Node[]): Promise<void> => {
    await until('replicas to apply the same index', 20_000, () => {
      const leader = list.find(n => n.stats().role === 'leader')
      if (leader === undefined) return false
      return list.every(n => n.stats().appliedIndex === leader.stats().commitIndex)
    })
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'machine-det-'))
    ports = await freePorts(8)
    for (let i = 0; i < 3; i++) {
      const n = make(i)
      nodes.push(n)
      await n.start()
      if (i === 0) await until('n0 to lead', 20_000, () => n.leaderClientAddress() !== undefined)
    }
    await until('three voters', 30_000, () => nodes[0]?.stats().configuration.voters.length === 3)
  })

  after(async () => {
    for (const n of nodes) await n.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('replicas agree after writes that draw random numbers and read the time, through leader and followers', async () => {
    const clients = nodes.map((_, i) => new Redis({ host: '127.0.0.1', port: ports[i] as number, lazyConnect: true, maxRetriesPerRequest: 1 }))
    for (const c of clients) await c.connect()
    await Promise.all(clients.map(async (c) => { for (let k = 0; k < 30; k++) await c.call('DRAW') }))
    for (const c of clients) c.disconnect()
    await settled(nodes)
    const d = nodes.map(dataOf)
    expect(JSON.parse(d[0] as string).draws).to.have.length(180)
    expect(d[1]).to.equal(d[0])
    expect(d[2]).to.equal(d[0])
    // now() never went back.
    const stamps = (JSON.parse(d[0] as string).draws as number[]).filter((_, i) => i % 2 === 1)
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]).to.be.at.least(stamps[i - 1] as number)
  })

  it('a restarted replica, restored from its own snapshot plus the log after it, computes the same data', async () => {
    const follower = nodes.find(n => n.stats().role !== 'leader') as Node
    const i = nodes.indexOf(follower)
    await follower.raft.snapshot()
    await follower.stop()
    const leader = nodes.find(n => n.stats().role === 'leader') as Node
    for (let k = 0; k < 20; k++) await leader.write([Buffer.from('DRAW')])
    const again = make(i)
    nodes[i] = again
    await again.start()
    await settled(nodes)
    expect(dataOf(again)).to.equal(dataOf(leader))
    expect(again.fsm.last).to.deep.equal(leader.fsm.last)
  })

  it('--restore starts a new cluster whose data equals the snapshot\'s, and it draws on alike', async () => {
    const leader = nodes.find(n => n.stats().role === 'leader') as Node
    const info = await leader.raft.snapshot()
    expect(info).not.to.equal(undefined)
    const file = path.join(leader.snapshotDir(), (info as { id: string }).id, 'state.bin')
    const expected = dataOf(leader)
    const restored = make(3, { restore: file })
    await restored.start()
    try {
      expect(dataOf(restored)).to.equal(expected)
      expect(restored.fsm.lastTs).to.equal(leader.fsm.lastTs)
      await until('the restored node to lead', 20_000, () => restored.stats().role === 'leader')
      const frame = await restored.write([Buffer.from('TICKET')])
      expect(frame).to.deep.equal({ type: 'integer', value: leader.fsm.data.ticket + 1 })
    } finally {
      await restored.stop()
    }
    // A restart of the restored node starts from the snapshot it wrote of the restored state.
    const again = make(3, { restore: file })
    await again.start()
    try {
      await until('the restarted node to apply its log after the snapshot', 20_000, () => again.fsm.data.ticket === leader.fsm.data.ticket + 1)
      expect(dataOf(again)).to.equal(JSON.stringify({ ...JSON.parse(expected), ticket: leader.fsm.data.ticket + 1 }))
    } finally {
      await again.stop()
    }
  })
})
