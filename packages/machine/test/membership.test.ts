import { expect } from 'chai'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { silentLogger, waitFor } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import { MachineNode, RespClient, type RespFrame } from '../src/index.js'
import { ticketMachine } from './helpers/ticket.js'

type Node = MachineNode<{ ticket: number, draws: number[] }, { user?: string }>

async function until (what: string, limitMs: number, fn: () => boolean | Promise<boolean>): Promise<void> {
  await waitFor(async () => await fn() || undefined, { timeoutMs: limitMs, intervalMs: 20, what })
}

describe('RAFT SERVER ADD / REMOVE / PROMOTE / DEMOTE (sent to a follower, run by the leader)', function () {
  this.timeout(90_000)
  let dir: string
  let ports: number[]
  const nodes: Node[] = []
  let client: RespClient

  const call = async (...args: string[]): Promise<RespFrame> => await client.call(args)
  const roles = (): Record<string, string> => {
    const c = (nodes[0] as Node).stats().configuration
    return Object.fromEntries([...c.voters.map(m => [m.id, 'voter']), ...c.nonVoters.map(m => [m.id, 'nonvoter'])])
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'machine-members-'))
    ports = await freePorts(6)
    for (let i = 0; i < 3; i++) {
      const n: Node = new MachineNode(ticketMachine, {
        nodeId: `m${i}`, address: `127.0.0.1:${ports[i]}`, raftPort: ports[i + 3], dataDir: path.join(dir, `m${i}`), preset: 'fast',
        ...(i > 0 ? { join: `127.0.0.1:${ports[0]}` } : {})
      }, { logger: silentLogger() })
      nodes.push(n)
      await n.start()
      if (i === 0) await until('m0 to lead', 20_000, () => n.leaderClientAddress() !== undefined)
    }
    await until('three members known everywhere', 30_000, () => nodes.every(n => n.fsm.peers.size === 3))
    client = new RespClient({ address: `127.0.0.1:${ports[1]}`, timeoutMs: 15_000 })
  })

  after(async () => {
    client.close()
    for (const n of nodes) await n.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('DEMOTE makes a voter a non-voter, PROMOTE makes it a voter again', async () => {
    expect(await call('RAFT', 'SERVER', 'DEMOTE', 'm2')).to.deep.equal({ type: 'simple', value: 'OK' })
    await until('m2 demoted', 10_000, () => roles().m2 === 'nonvoter')
    expect(await call('RAFT', 'SERVER', 'PROMOTE', 'm2')).to.deep.equal({ type: 'simple', value: 'OK' })
    await until('m2 promoted', 10_000, () => roles().m2 === 'voter')
  })

  it('REMOVE takes a member out of the configuration and the peer table; ADD ... NONVOTER brings it back', async () => {
    expect(await call('RAFT', 'SERVER', 'REMOVE', 'm2')).to.deep.equal({ type: 'simple', value: 'OK' })
    await until('m2 removed', 10_000, () => roles().m2 === undefined && !(nodes[0] as Node).fsm.peers.has('m2'))
    const list = await call('RAFT', 'SERVER', 'LIST')
    expect(list.type === 'array' ? list.value?.length : -1).to.equal(2)
    expect(await call('RAFT', 'SERVER', 'ADD', 'm2', `127.0.0.1:${ports[2]}`, `127.0.0.1:${ports[5]}`, 'NONVOTER')).to.deep.equal({ type: 'simple', value: 'OK' })
    await until('m2 back as a non-voter', 10_000, () => roles().m2 === 'nonvoter' && (nodes[0] as Node).fsm.peers.get('m2') === `127.0.0.1:${ports[2]}`)
  })

  it('refuses malformed server commands', async () => {
    expect((await call('RAFT', 'SERVER', 'ADD', 'x')).type).to.equal('error')
    expect((await call('RAFT', 'SERVER', 'ADD', 'x', 'not-an-address')).type).to.equal('error')
    expect((await call('RAFT', 'SERVER', 'PROMOTE', 'nobody')).type).to.equal('error')
    expect((await call('RAFT', 'BOGUS')).type).to.equal('error')
  })
})
