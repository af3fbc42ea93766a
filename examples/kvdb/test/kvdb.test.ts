import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { freePorts } from '@clusterfunk/core/testing'
import { MachineProcess, ensureRedisTools, redisCli, until } from '@clusterfunk/machine/testing'
import { kvdb } from '../src/kvdb.js'

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'bin', 'kvdb.js')


describe('kvdb: three processes', function () {
  this.timeout(120_000)
  let dir: string
  let ports: number[]
  const procs: MachineProcess[] = []
  const clients: Redis[] = []

  before(async () => {
    ensureRedisTools()
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvdb-'))
    ports = await freePorts(6)
    for (let i = 0; i < 3; i++) {
      const args = ['-n', String(i + 1), '-a', `127.0.0.1:${ports[i]}`, '--raft-port', String(ports[i + 3]), '-d', dir, '--preset', 'fast', '-l', 'warn']
      if (i > 0) args.push('-j', `127.0.0.1:${ports[0]}`)
      procs.push(new MachineProcess(BIN, args))
      if (i === 0) await until('node 1 to lead', 20_000, async () => (await redisCli(ports[0] as number, ['RAFT', 'LEADER'])).trim() === `127.0.0.1:${ports[0]}`)
    }
    await until('three members with client addresses', 30_000, async () => {
      const list = await redisCli(ports[0] as number, ['RAFT', 'SERVER', 'LIST'])
      return [0, 1, 2].every(i => list.includes(`127.0.0.1:${ports[i]}`))
    })
    for (const p of ports.slice(0, 3)) {
      const c = new Redis({ host: '127.0.0.1', port: p, lazyConnect: true, maxRetriesPerRequest: 1 })
      await c.connect()
      clients.push(c)
    }
  })

  after(async () => {
    for (const c of clients) c.disconnect()
    for (const p of procs) await p.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('SET, GET, MSET, MGET, INCR, DEL and KEYS on any member', async () => {
    const [a, b, c] = clients as [Redis, Redis, Redis]
    expect(await b.set('name', 'ann')).to.equal('OK')
    expect(await c.get('name')).to.equal('ann')
    expect(await a.mset('k1', 'v1', 'k2', 'v2', 'n', '41')).to.equal('OK')
    expect(await b.mget('k1', 'missing', 'k2')).to.deep.equal(['v1', null, 'v2'])
    expect(await c.incr('n')).to.equal(42)
    expect(await a.incr('fresh')).to.equal(1)
    expect(await b.keys('k*')).to.deep.equal(['k1', 'k2'])
    expect(await c.del('k1', 'k2', 'nope')).to.equal(2)
    expect(await a.keys('k*')).to.deep.equal([])
    const err = await a.incr('name').catch((e: Error) => e)
    expect(String(err)).to.match(/not an integer/)
  })

  it('a value of arbitrary bytes round-trips exactly, through the log, on every member and through a snapshot', async () => {
    const [a, b, c] = clients as [Redis, Redis, Redis]
    const bytes = Buffer.from([...Array.from({ length: 256 }, (_, i) => i), 0xc3, 0x28, 0xf0, 0x28, 0x8c, 0xbc, 0x0d, 0x0a])
    expect(await a.set('bin', bytes)).to.equal('OK')
    expect((await b.getBuffer('bin'))?.equals(bytes)).to.equal(true)
    expect(await c.mset('bin2', bytes)).to.equal('OK')
    const got = await a.mgetBuffer('bin', 'bin2')
    expect(got.every(v => v?.equals(bytes) === true)).to.equal(true)
    const snap = kvdb.snapshot?.(new Map([['bin', { value: bytes, expiresAtMs: 5 }]]))
    if (!(snap instanceof Uint8Array)) throw new Error('kvdb snapshots to bytes')
    const restored = await kvdb.restore?.(snap)
    expect(restored?.get('bin')?.value.equals(bytes)).to.equal(true)
    expect(restored?.get('bin')?.expiresAtMs).to.equal(5)
  })

  it('expires keys by the machine time, and the tick removes them on every member', async () => {
    const [a, b, c] = clients as [Redis, Redis, Redis]
    expect(await a.set('short', 'lived', 'PX', 400)).to.equal('OK')
    expect(await b.get('short')).to.equal('lived')
    const ttl = Number(await c.call('PTTL', 'short'))
    expect(ttl).to.be.greaterThan(0).and.at.most(400)
    for (const cl of clients) await until('the key to expire', 10_000, async () => await cl.get('short') === null)
    const sizes = await Promise.all(clients.map(async cl => Number(await cl.call('DBSIZE'))))
    expect(new Set(sizes).size).to.equal(1)
    expect(Number(await a.call('PTTL', 'short'))).to.equal(-2)
  })

  it('redis-benchmark runs against a follower (CONFIG GET, pipelining, forwarding)', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      execFile('redis-benchmark', ['-h', '127.0.0.1', '-p', String(ports[1]), '-t', 'set,get', '-n', '600', '-c', '10', '-P', '4', '-q'], { timeout: 60_000 }, (err, stdout, stderr) => {
        if (err !== null) reject(new Error(`${err.message} ${stderr}`))
        else resolve(stdout)
      })
    })
    expect(out).to.match(/SET: [\d.]+ requests per second/)
    expect(out).to.match(/GET: [\d.]+ requests per second/)
    expect(await (clients[2] as Redis).get('key:__rand_int__')).to.equal('VXK')
  })
})
