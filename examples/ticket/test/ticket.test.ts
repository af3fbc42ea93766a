import { expect } from 'chai'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { freePorts } from '@clusterfunk/core/testing'
import { MachineProcess, ensureRedisTools, redisCli, until } from '@clusterfunk/machine/testing'

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'bin', 'ticket.js')
const AUTH = 'ticket-secret'


describe('ticket: three processes, redis-cli and ioredis', function () {
  this.timeout(120_000)
  let dir: string
  let ports: number[]
  const procs = new Map<number, MachineProcess>()

  const start = (i: number): MachineProcess => {
    const args = ['-n', String(i + 1), '-a', `127.0.0.1:${ports[i]}`, '--raft-port', String(ports[i + 3]), '-d', dir, '--auth', AUTH, '--preset', 'fast', '-l', 'warn']
    if (i > 0) args.push('-j', `127.0.0.1:${ports[0]}`)
    const p = new MachineProcess(BIN, args)
    procs.set(i, p)
    return p
  }

  before(async () => {
    ensureRedisTools()
    dir = await mkdtemp(path.join(os.tmpdir(), 'ticket-'))
    ports = await freePorts(6)
    start(0)
    await until('node 1 to lead', 20_000, async () => (await redisCli(ports[0] as number, ['RAFT', 'LEADER'], { auth: AUTH })).trim() === `127.0.0.1:${ports[0]}`)
    start(1)
    start(2)
    await until('three members with client addresses', 30_000, async () => {
      const list = await redisCli(ports[0] as number, ['RAFT', 'SERVER', 'LIST'], { auth: AUTH })
      return [1, 2, 3].every(i => list.includes(`127.0.0.1:${ports[i - 1]}`))
    })
  })

  after(async () => {
    for (const p of procs.values()) await p.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('hands out tickets to redis-cli on any member (followers forward to the leader)', async () => {
    const a = Number((await redisCli(ports[0] as number, ['TICKET'], { auth: AUTH })).trim())
    const b = Number((await redisCli(ports[1] as number, ['TICKET'], { auth: AUTH })).trim())
    const c = Number((await redisCli(ports[2] as number, ['TICKET'], { auth: AUTH })).trim())
    expect(a).to.be.at.least(1)
    expect(b).to.equal(a + 1)
    expect(c).to.equal(b + 1)
  })

  it('refuses clients without the password (NOAUTH) or with a wrong one (WRONGPASS)', async () => {
    expect(await redisCli(ports[1] as number, ['TICKET'])).to.match(/NOAUTH/)
    expect(await redisCli(ports[1] as number, ['AUTH', 'wrong'])).to.match(/WRONGPASS/)
    expect(await redisCli(ports[1] as number, ['AUTH', AUTH])).to.match(/OK/)
  })

  it('answers the RAFT commands as documented', async () => {
    expect((await redisCli(ports[2] as number, ['RAFT', 'LEADER'], { auth: AUTH })).trim()).to.equal(`127.0.0.1:${ports[0]}`)
    const info = await redisCli(ports[1] as number, ['RAFT', 'INFO', 'num_*'], { auth: AUTH })
    expect(info.split('\n').map(s => s.trim()).filter(s => s !== '')).to.deep.equal(['num_voters', '3', 'num_nonvoters', '0'])
    const list = await redisCli(ports[0] as number, ['--json', 'RAFT', 'SERVER', 'LIST'], { auth: AUTH }).catch(async () => await redisCli(ports[0] as number, ['RAFT', 'SERVER', 'LIST'], { auth: AUTH }))
    for (const i of [1, 2, 3]) expect(list).to.include(`127.0.0.1:${ports[i - 1]}`)
  })

  it('keeps tickets strictly increasing across a kill -9 of the leader (ioredis)', async () => {
    const clients = [0, 1, 2].map(i => new Redis({ host: '127.0.0.1', port: ports[i] as number, password: AUTH, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false }))
    await Promise.all(clients.map(async c => { await c.connect() }))
    const seen: number[] = []
    let which = 1
    /** One TICKET through any live member: a client that follows the cluster. */
    const ticket = async (): Promise<number> => {
      for (let attempt = 0; attempt < 400; attempt++) {
        const c = clients[which] as Redis
        try {
          return Number(await c.call('TICKET'))
        } catch {
          which = (which + 1) % 3
          await new Promise(resolve => setTimeout(resolve, 25))
        }
      }
      throw new Error('no member answered TICKET')
    }
    for (let i = 0; i < 50; i++) seen.push(await ticket())
    const leaderPort = Number((await redisCli(ports[1] as number, ['RAFT', 'LEADER'], { auth: AUTH })).trim().split(':')[1])
    const leader = ports.indexOf(leaderPort)
    await (procs.get(leader) as MachineProcess).kill()
    clients[leader]?.disconnect()
    which = (leader + 1) % 3
    for (let i = 0; i < 100; i++) seen.push(await ticket())
    for (const c of clients) c.disconnect()
    for (let i = 1; i < seen.length; i++) expect(seen[i], `ticket ${i}`).to.be.greaterThan(seen[i - 1] as number)
    const survivor = ports[(leader + 1) % 3] as number
    const newLeader = (await redisCli(survivor, ['RAFT', 'LEADER'], { auth: AUTH })).trim()
    expect(newLeader).not.to.equal(`127.0.0.1:${leaderPort}`)
    // The killed member comes back with its data directory and catches up.
    start(leader)
    const after = Number((await redisCli(survivor, ['TICKET'], { auth: AUTH })).trim())
    expect(after).to.be.greaterThan(seen[seen.length - 1] as number)
    const appliedOf = async (port: number): Promise<number> => Number((await redisCli(port, ['RAFT', 'INFO', 'applied_index'], { auth: AUTH })).trim().split('\n')[1])
    const target = await appliedOf(survivor)
    await until('the restarted member to catch up', 20_000, async () => await appliedOf(ports[leader] as number) >= target)
  })
})
