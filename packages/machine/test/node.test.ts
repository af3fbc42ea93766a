import { expect } from 'chai'
import net from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import { silentLogger } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import { MachineNode, encodeCommand } from '../src/index.js'
import { ticketMachine } from './helpers/ticket.js'

async function rawExchange (port: number, bytes: string | Buffer, until: (s: string) => boolean): Promise<string> {
  return await new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1')
    let got = ''
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`timed out; got ${JSON.stringify(got)}`)) }, 5000)
    s.on('data', (d) => { got += d.toString(); if (until(got)) { clearTimeout(timer); s.destroy(); resolve(got) } })
    s.on('close', () => { clearTimeout(timer); resolve(got) })
    s.on('error', reject)
    s.write(bytes)
  })
}

describe('MachineNode (one node)', function () {
  this.timeout(60_000)
  let dir: string
  let node: MachineNode<{ ticket: number, draws: number[] }, { user?: string }>
  let port: number

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'machine-node-'))
    const [p, r] = await freePorts(2) as [number, number]
    port = p
    node = new MachineNode(ticketMachine, { nodeId: 'a', address: `127.0.0.1:${p}`, raftPort: r, dataDir: dir, preset: 'fast' }, { logger: silentLogger() })
    await node.start()
    for (let i = 0; i < 500 && node.leaderClientAddress() === undefined; i++) await new Promise(resolve => setTimeout(resolve, 20))
    expect(node.leaderClientAddress()).to.equal(`127.0.0.1:${p}`)
  })

  after(async () => {
    await node.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('serves write, read and intermediate commands to ioredis', async () => {
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      await redis.connect()
      expect(await redis.call('TICKET')).to.equal(1)
      expect(await redis.call('ticket')).to.equal(2)
      expect(await redis.call('CURRENT')).to.equal(2)
      expect(await redis.call('WHOAMI')).to.equal(null)
      expect(await redis.call('LOGIN', 'ann')).to.equal('OK')
      expect(await redis.call('WHOAMI')).to.equal('ann')
      expect(await redis.ping()).to.equal('PONG')
      expect(await redis.call('VERSION')).to.equal('1.2.3')
      const err = await redis.call('NOPE').catch((e: Error) => e)
      expect(String(err)).to.match(/unknown command 'nope'/)
    } finally {
      redis.disconnect()
    }
  })

  it('answers pipelined commands in order, the connection\'s reads after its writes', async () => {
    const before = node.fsm.data.ticket
    const cmds = Buffer.concat([encodeCommand(['TICKET']), encodeCommand(['CURRENT']), encodeCommand(['TICKET']), encodeCommand(['CURRENT']), encodeCommand(['PING'])])
    const out = await rawExchange(port, cmds, s => s.endsWith('+PONG\r\n'))
    expect(out).to.equal(`:${before + 1}\r\n:${before + 1}\r\n:${before + 2}\r\n:${before + 2}\r\n+PONG\r\n`)
  })

  it('takes inline commands (telnet, nc)', async () => {
    const out = await rawExchange(port, 'PING\r\nECHO "hello world"\r\n', s => s.includes('world\r\n'))
    expect(out).to.equal('+PONG\r\n$11\r\nhello world\r\n')
  })

  it('speaks RESP3 after HELLO 3', async () => {
    const out = await rawExchange(port, 'HELLO 3\r\nMACHINE\r\n', s => /uptime_ms\r\n:\d+\r\n$/.test(s))
    expect(out.startsWith('%7\r\n')).to.equal(true)
    expect(out).to.include('$6\r\nserver\r\n$11\r\nticket-test\r\n')
    expect(out).to.include('%6\r\n$4\r\nname\r\n')
  })

  it('answers a bad frame with an error and closes the connection; the node keeps serving', async () => {
    const out = await rawExchange(port, '*1\r\n$99999999999\r\n', () => false)
    expect(out).to.match(/^-ERR Protocol error: invalid bulk length\r\n$/)
    expect(await rawExchange(port, 'PING\r\n', s => s.includes('\r\n'))).to.equal('+PONG\r\n')
  })

  it('answers RAFT LEADER, RAFT INFO with a pattern, RAFT SERVER LIST', async () => {
    expect(await rawExchange(port, 'RAFT LEADER\r\n', s => s.endsWith('\r\n') && s.length > 5)).to.equal(`$${`127.0.0.1:${port}`.length}\r\n127.0.0.1:${port}\r\n`)
    const info = await rawExchange(port, 'RAFT INFO *index\r\n', s => /snapshot_index\r\n:\d+\r\n$/.test(s))
    expect(info.startsWith('*10\r\n')).to.equal(true)
    expect(info).to.include('commit_index')
    expect(info).not.to.include('term')
    const list = await rawExchange(port, 'HELLO 3\r\nRAFT SERVER LIST\r\n', s => s.includes('voter\r\n#t'))
    expect(list).to.include(`$1\r\na\r\n`)
  })

  it('takes and lists snapshots, and reads one back', async () => {
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      await redis.connect()
      const id = await redis.call('RAFT', 'SNAPSHOT', 'NOW') as string
      const list = await redis.call('RAFT', 'SNAPSHOT', 'LIST') as unknown[][]
      expect(list.map(x => x[1])).to.include(id)
      const file = await redis.call('RAFT', 'SNAPSHOT', 'FILE', id) as string
      expect(file).to.equal(path.join(dir, 'snapshots', id, 'state.bin'))
      const whole = await redis.callBuffer('RAFT', 'SNAPSHOT', 'READ', id) as Buffer
      const part = await redis.callBuffer('RAFT', 'SNAPSHOT', 'READ', id, 'RANGE', '2', '9') as Buffer
      expect(part).to.deep.equal(whole.subarray(2, 10))
      expect(whole.toString()).to.include('"ticket":')
    } finally {
      redis.disconnect()
    }
  })

  it('streams every command to MONITOR clients', async () => {
    const mon = net.connect(port, '127.0.0.1')
    let seen = ''
    mon.on('data', d => { seen += d.toString() })
    mon.write('MONITOR\r\n')
    for (let i = 0; i < 100 && !seen.includes('+OK'); i++) await new Promise(resolve => setTimeout(resolve, 20))
    await rawExchange(port, 'ECHO monitored\r\n', s => s.includes('monitored\r\n'))
    for (let i = 0; i < 100 && !seen.includes('"monitored"'); i++) await new Promise(resolve => setTimeout(resolve, 20))
    mon.destroy()
    expect(seen).to.match(/\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "ECHO" "monitored"\r\n/)
  })
})
