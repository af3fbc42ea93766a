import { expect } from 'chai'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { freePorts } from '@clusterfunk/core/testing'
import { checkLinearizable, kvModel, type KvInput, type KvOutput, type Operation } from '@clusterfunk/raft/sim'
import { MachineProcess, ensureRedisTools, redisCli, until } from '@clusterfunk/machine/testing'

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'bin', 'kvdb.js')
/** Seconds of load under faults; LIN_SECONDS for a longer run. */
const SECONDS = Number(process.env.LIN_SECONDS ?? 10)
const KEYS = ['k0', 'k1', 'k2']
const CLIENTS = 6


describe('kvdb: linearizable through the RESP port under kill -9, SIGSTOP and restarts', function () {
  this.timeout(SECONDS * 1000 + 120_000)
  let dir: string
  let ports: number[]
  const procs: Array<MachineProcess | undefined> = []

  const start = (i: number): void => {
    const args = ['-n', String(i + 1), '-a', `127.0.0.1:${ports[i]}`, '--raft-port', String(ports[i + 3]), '-d', dir, '--preset', 'fast', '-l', 'warn']
    if (i > 0) args.push('-j', `127.0.0.1:${ports[0]}`)
    procs[i] = new MachineProcess(BIN, args)
  }

  before(async () => {
    ensureRedisTools()
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvdb-lin-'))
    ports = await freePorts(6)
    start(0)
    await until('node 1 to lead', 20_000, async () => (await redisCli(ports[0] as number, ['RAFT', 'LEADER'])).trim() === `127.0.0.1:${ports[0]}`)
    start(1)
    start(2)
    await until('three members', 30_000, async () => {
      const list = await redisCli(ports[0] as number, ['RAFT', 'SERVER', 'LIST'])
      return [0, 1, 2].every(i => list.includes(`127.0.0.1:${ports[i]}`))
    })
  })

  after(async () => {
    for (const p of procs) { if (p !== undefined) { p.child.kill('SIGCONT'); await p.stop() } }
    await rm(dir, { recursive: true, force: true })
  })

  it(`concurrent clients' history over ${SECONDS} s is linearizable and the replicas end equal`, async () => {
    let clock = 0
    const history: Array<Operation<KvInput, KvOutput>> = []
    let stop = false
    let unknown = 0
    const client = async (id: number): Promise<void> => {
      const conns = ports.slice(0, 3).map(p => new Redis({ host: '127.0.0.1', port: p, lazyConnect: true, commandTimeout: 1500, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 100 }))
      for (const c of conns) {
        c.on('error', () => { /* reconnects on its own; the failed command is recorded */ })
        c.connect().catch(() => {})
      }
      let n = 0
      while (!stop) {
        const key = KEYS[Math.floor(Math.random() * KEYS.length)] as string
        const conn = conns[Math.floor(Math.random() * conns.length)] as Redis
        if (conn.status !== 'ready') { await new Promise(resolve => setTimeout(resolve, 20)); continue }
        const put = Math.random() < 0.5
        const value = `${id}-${n++}`
        const call = clock++
        try {
          if (put) {
            const r = await conn.set(key, value)
            history.push({ client: id, input: { op: 'put', key, value }, call, return: clock++, output: r === 'OK' })
          } else {
            const r = await conn.get(key)
            history.push({ client: id, input: { op: 'get', key }, call, return: clock++, output: r })
          }
        } catch {
          // A failed write may still take effect: its outcome is unknown. A failed read had no effect.
          if (put) { history.push({ client: id, input: { op: 'put', key, value }, call }); unknown++ }
          await new Promise(resolve => setTimeout(resolve, 20))
        }
      }
      for (const c of conns) c.disconnect()
    }
    const faults = async (): Promise<string[]> => {
      const done: string[] = []
      const end = Date.now() + SECONDS * 1000
      let round = 0
      while (Date.now() < end - 1500) {
        // One fault at a time: a member restarted after kill -9 (slow to start on a busy machine) must serve again
        // before the next fault, or two faults overlap and the cluster has no quorum for most of the run.
        await until('every member to answer before the next fault', 30_000, async () =>
          (await Promise.all(ports.slice(0, 3).map(async p => (await redisCli(p, ['RAFT', 'LEADER'], { timeoutMs: 1000 })).trim()))).every(s => /^127\.0\.0\.1:\d+$/.test(s)))
        await new Promise(resolve => setTimeout(resolve, 1200))
        const leaderAddr = await Promise.any(ports.slice(0, 3).map(async p => (await redisCli(p, ['RAFT', 'LEADER'], { timeoutMs: 1000 })).trim())).catch(() => '')
        const leader = ports.indexOf(Number(leaderAddr.split(':')[1]))
        if (round % 2 === 0 && leader >= 0) {
          await procs[leader]?.kill()
          done.push(`kill -9 leader ${leader + 1}`)
          await new Promise(resolve => setTimeout(resolve, 400))
          start(leader)
        } else {
          const victim = leader >= 0 ? (leader + 1 + (round % 2)) % 3 : round % 3
          procs[victim]?.child.kill('SIGSTOP')
          done.push(`SIGSTOP ${victim + 1}`)
          await new Promise(resolve => setTimeout(resolve, 800))
          procs[victim]?.child.kill('SIGCONT')
        }
        round++
      }
      return done
    }
    const workers = Array.from({ length: CLIENTS }, async (_, i) => { await client(i) })
    const injected = await faults()
    stop = true
    await Promise.all(workers)
    // Every member serves again and has applied the same log; final reads through each join the history.
    await until('every member to answer', 30_000, async () => (await Promise.all(ports.slice(0, 3).map(async p => (await redisCli(p, ['PING'], { timeoutMs: 1000 })).trim()))).every(s => s === 'PONG'))
    const applied = async (p: number): Promise<number> => Number((await redisCli(p, ['RAFT', 'INFO', 'applied_index'])).trim().split('\n')[1])
    const commit = async (p: number): Promise<number> => Number((await redisCli(p, ['RAFT', 'INFO', 'commit_index'])).trim().split('\n')[1])
    await until('replicas to apply the same index', 30_000, async () => {
      const leaderAddr = (await redisCli(ports[0] as number, ['RAFT', 'LEADER'])).trim()
      const target = await commit(Number(leaderAddr.split(':')[1]))
      return (await Promise.all(ports.slice(0, 3).map(applied))).every(a => a >= target)
    })
    const finals: string[] = []
    for (const p of ports.slice(0, 3)) {
      const c = new Redis({ host: '127.0.0.1', port: p, lazyConnect: true })
      await c.connect()
      for (const key of KEYS) {
        const call = clock++
        const v = await c.get(key)
        history.push({ client: 100 + p, input: { op: 'get', key }, call, return: clock++, output: v })
      }
      finals.push(JSON.stringify(await c.mget(...KEYS)) + ` size ${String(await c.call('DBSIZE'))}`)
      c.disconnect()
    }
    const done = history.filter(h => h.return !== undefined).length
    console.log(`      ${history.length} operations (${done} completed, ${unknown} unknown writes), faults: ${injected.join(', ')}`)
    expect(injected.length).to.be.greaterThan(0)
    expect(done).to.be.greaterThan(100)
    const result = checkLinearizable(kvModel, history)
    expect(result.verdict, JSON.stringify(result.failing?.slice(0, 20))).to.equal('ok')
    expect(new Set(finals).size, finals.join(' | ')).to.equal(1)
  })
})
