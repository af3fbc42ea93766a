import { expect } from 'chai'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { silentLogger, waitFor } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import { MachineNode, UnsyncedStore, type MachineNodeInit } from '../src/index.js'
import { MemoryLogStore, type Entry, type HardState, type WriteOptions } from '@clusterfunk/raft'
import { ticketMachine } from './helpers/ticket.js'

type Node = MachineNode<{ ticket: number, draws: number[] }, { user?: string }>

async function until (what: string, limitMs: number, fn: () => boolean | Promise<boolean>): Promise<void> {
  await waitFor(async () => await fn() || undefined, { timeoutMs: limitMs, intervalMs: 20, what })
}

describe('followers: MOVED, TRY, open reads', function () {
  this.timeout(90_000)
  let dir: string
  let ports: number[]
  const nodes: Node[] = []

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'machine-followers-'))
    ports = await freePorts(6)
    const extra: MachineNodeInit[] = [{}, { followerMode: 'moved', openReads: true }, { followerMode: 'try', forwardTimeoutMs: 1000 }]
    for (let i = 0; i < 3; i++) {
      const n: Node = new MachineNode(ticketMachine, {
        nodeId: `f${i}`, address: `127.0.0.1:${ports[i]}`, raftPort: ports[i + 3], dataDir: path.join(dir, `f${i}`), preset: 'fast',
        ...(i > 0 ? { join: `127.0.0.1:${ports[0]}` } : {}), ...extra[i]
      }, { logger: silentLogger() })
      nodes.push(n)
      await n.start()
      if (i === 0) await until('f0 to lead', 20_000, () => n.leaderClientAddress() !== undefined)
    }
    await until('three members known everywhere', 30_000, () => nodes.every(n => n.fsm.peers.size === 3))
  })

  after(async () => {
    for (const n of nodes) await n.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('a follower in moved mode answers MOVED with the leader\'s client address; in try mode TRY', async () => {
    const [f0, f1, f2] = nodes as [Node, Node, Node]
    expect(await f0.write([Buffer.from('TICKET')])).to.deep.equal({ type: 'integer', value: 1 })
    expect(await f1.write([Buffer.from('TICKET')])).to.deep.equal({ type: 'error', value: `MOVED 0 127.0.0.1:${ports[0]}` })
    expect(await f2.write([Buffer.from('TICKET')])).to.deep.equal({ type: 'error', value: `TRY 127.0.0.1:${ports[0]}` })
  })

  it('with open reads a follower answers from its own state even without a leader; a linearizable read cannot', async () => {
    const [f0, f1, f2] = nodes as [Node, Node, Node]
    await until('f1 to apply the ticket', 10_000, () => f1.fsm.data.ticket === 1)
    await f0.stop()
    await f2.stop()
    expect(await f1.read(['CURRENT'])).to.deep.equal({ type: 'integer', value: 1 })
    const linearizable = await f1.raft.read(() => 1, { timeoutMs: 500 }).then(() => 'answered', (err: Error) => err.name)
    expect(linearizable).not.to.equal('answered')
  })
})

describe('--nosync (UnsyncedStore)', () => {
  it('passes sync: false on every write and serves reads from the wrapped store', async () => {
    const seen: Array<WriteOptions | undefined> = []
    const inner = new MemoryLogStore()
    const spy = Object.assign(Object.create(inner) as MemoryLogStore, {
      storeLogs: async (e: readonly Entry[], o?: WriteOptions) => { seen.push(o); await inner.storeLogs(e) },
      setHardState: async (h: HardState, o?: WriteOptions) => { seen.push(o); await inner.setHardState(h) },
      compactTo: async (i: number, o?: WriteOptions) => { seen.push(o); await inner.compactTo(i) },
      clearLogs: async (o?: WriteOptions) => { seen.push(o); await inner.clearLogs() }
    })
    const store = new UnsyncedStore(spy)
    await store.storeLogs([{ index: 1, term: 1, type: 'normal', data: new Uint8Array([1]) }], { sync: true })
    await store.setHardState({ term: 1, vote: undefined, commit: 1 } as unknown as HardState, { sync: true })
    await store.compactTo(1, { sync: true })
    await store.clearLogs({ sync: true })
    expect(seen).to.deep.equal([{ sync: false }, { sync: false }, { sync: false }, { sync: false }])
    expect(store.lastIndex()).to.equal(inner.lastIndex())
  })
})
