import { expect } from 'chai'
import net from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { silentLogger } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import { MachineNode } from '../src/index.js'
import { ensureRedisTools, redisCli } from '../src/testing.js'
import { ticketMachine } from './helpers/ticket.js'
import { selfSigned } from './helpers/cert.js'

type Node = MachineNode<{ ticket: number, draws: number[] }, { user?: string }>

describe('TLS and auth: redis-cli --tls -a, members over TLS with the derived token', function () {
  this.timeout(90_000)
  let dir: string
  let ports: number[]
  let certPath: string
  const nodes: Node[] = []

  before(async () => {
    ensureRedisTools()
    dir = await mkdtemp(path.join(os.tmpdir(), 'machine-tls-'))
    const tls = selfSigned(dir)
    certPath = tls.certPath
    ports = await freePorts(4)
    for (let i = 0; i < 2; i++) {
      const n: Node = new MachineNode(ticketMachine, {
        nodeId: `t${i}`, address: `127.0.0.1:${ports[i]}`, raftPort: ports[i + 2], dataDir: path.join(dir, `t${i}`), preset: 'fast',
        auth: 'tls-secret', tls: { cert: tls.cert, key: tls.key }, ...(i > 0 ? { join: `127.0.0.1:${ports[0]}` } : {})
      }, { logger: silentLogger() })
      nodes.push(n)
      await n.start()
      for (let k = 0; k < 500 && n.leaderClientAddress() === undefined; k++) await new Promise(resolve => setTimeout(resolve, 20))
    }
    for (let k = 0; k < 1000 && nodes[0]?.fsm.peers.size !== 2; k++) await new Promise(resolve => setTimeout(resolve, 20))
    expect(nodes[0]?.stats().configuration.voters.length).to.equal(2)
  })

  after(async () => {
    for (const n of nodes) await n.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('serves redis-cli over TLS with the password, on the leader and through a follower', async () => {
    const a = Number((await redisCli(ports[0] as number, ['TICKET'], { auth: 'tls-secret', cacert: certPath })).trim())
    const b = Number((await redisCli(ports[1] as number, ['TICKET'], { auth: 'tls-secret', cacert: certPath })).trim())
    expect(b).to.equal(a + 1)
    expect(await redisCli(ports[1] as number, ['TICKET'], { cacert: certPath })).to.match(/NOAUTH/)
  })

  it('answers no plain-text RESP on a TLS port', async () => {
    const got = await new Promise<string>((resolve) => {
      const s = net.connect(ports[0] as number, '127.0.0.1')
      let out = ''
      s.on('data', d => { out += d.toString('latin1') })
      s.on('error', () => {})
      s.on('close', () => { resolve(out) })
      s.write('PING\r\n')
    })
    expect(got).not.to.include('PONG')
  })
})
