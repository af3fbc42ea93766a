import { expect } from 'chai'
import net from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { silentLogger } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import { MachineNode, httpService } from '../src/index.js'
import { ticketMachine } from './helpers/ticket.js'

async function resp (port: number, bytes: string, until: (s: string) => boolean): Promise<string> {
  return await new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1')
    let got = ''
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`timed out; got ${JSON.stringify(got)}`)) }, 5000)
    s.on('data', (d) => { got += d.toString(); if (until(got)) { clearTimeout(timer); s.destroy(); resolve(got) } })
    s.on('error', reject)
    s.write(bytes)
  })
}

describe('the HTTP service and /metrics on the client port', function () {
  this.timeout(60_000)
  let dir: string
  let node: MachineNode<{ ticket: number, draws: number[] }, { user?: string }>
  let base: string
  let port: number

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'machine-http-'))
    const [p, r] = await freePorts(2) as [number, number]
    port = p
    base = `http://127.0.0.1:${p}`
    node = new MachineNode(ticketMachine, { nodeId: 'a', address: `127.0.0.1:${p}`, raftPort: r, dataDir: dir, preset: 'fast', auth: 's3cret' }, { logger: silentLogger(), services: [httpService()] })
    await node.start()
    for (let i = 0; i < 500 && node.leaderClientAddress() === undefined; i++) await new Promise(resolve => setTimeout(resolve, 20))
  })

  after(async () => {
    await node.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('runs a JSON command with the secret as a bearer token', async () => {
    const res = await fetch(base, { method: 'POST', headers: { authorization: 'Bearer s3cret' }, body: JSON.stringify(['TICKET']) })
    expect(res.status).to.equal(200)
    expect(await res.json()).to.deep.equal({ result: 1 })
    const info = await fetch(base, { method: 'POST', headers: { authorization: 'Bearer s3cret' }, body: JSON.stringify(['RAFT', 'INFO', 'state']) })
    expect(await info.json()).to.deep.equal({ result: { state: 'leader' } })
  })

  it('refuses commands without the secret or with a wrong one, and bad bodies', async () => {
    const none = await fetch(base, { method: 'POST', body: JSON.stringify(['TICKET']) })
    expect(none.status).to.equal(401)
    expect((await none.json() as { error: string }).error).to.match(/^NOAUTH/)
    const wrong = await fetch(base, { method: 'POST', headers: { authorization: 'Bearer nope' }, body: JSON.stringify(['CURRENT']) })
    expect(wrong.status).to.equal(401)
    const bad = await fetch(base, { method: 'POST', headers: { authorization: 'Bearer s3cret' }, body: '{"a":1}' })
    expect(bad.status).to.equal(400)
  })

  it('serves Prometheus metrics: commands by name and outcome, latency, Raft figures', async () => {
    const res = await fetch(`${base}/metrics`)
    expect(res.status).to.equal(200)
    const text = await res.text()
    expect(text).to.match(/clusterfunk_machine_commands_total\{command="ticket",outcome="ok"\} 1/)
    expect(text).to.match(/clusterfunk_machine_commands_total\{command="ticket",outcome="error"\} 1/)
    expect(text).to.include('# TYPE clusterfunk_machine_command_latency_seconds histogram')
    // Seconds: the two TICKET calls took well under a second, so the 1 s bucket holds both.
    expect(text).to.match(/clusterfunk_machine_command_latency_seconds_bucket\{le="1",command="ticket"\} 2/)
    expect(text).to.match(/clusterfunk_machine_raft_is_leader 1/)
  })

  it('leaves RESP on the same port, inline commands included, behind AUTH', async () => {
    expect(await resp(port, 'CURRENT\r\n', s => s.endsWith('\r\n'))).to.match(/^-NOAUTH/)
    expect(await resp(port, 'AUTH s3cret\r\nCURRENT\r\n', s => s.endsWith(':1\r\n'))).to.equal('+OK\r\n:1\r\n')
  })
})
