import { createServer, type Server } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'chai'
import { ManagementClient } from '@clusterfunk/management'
import { waitFor } from '@clusterfunk/core'
import { KvProcess } from '../src/demo/kv-process.js'
import { freePorts } from '@clusterfunk/core/testing'

describe('KvProcess', function () {
  this.timeout(20_000)
  let blocker: Server | undefined
  let dir: string | undefined
  let node: KvProcess | undefined

  afterEach(async () => {
    node?.kill9()
    await new Promise<void>(resolve => { if (blocker === undefined) resolve(); else blocker.close(() => { resolve() }) })
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    node = undefined
    blocker = undefined
    dir = undefined
  })

  it('fails the wait for ready at once, with the server\'s error, when the node cannot start', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kv-process-'))
    const [http, swim, raft, liveness, mgmt] = await freePorts(5) as [number, number, number, number, number]
    const server = createServer()
    blocker = server
    await new Promise<void>(resolve => { server.listen(http, '127.0.0.1', () => { resolve() }) })
    node = new KvProcess('n1', { http, swim, raft, liveness, mgmt }, path.join(dir, 'n1'), [], 1)
    let error: Error | undefined
    await node.whenReady(15_000).catch((err: Error) => { error = err })
    expect(error?.message).to.match(/n1 \(pid \d+\) exited \(code 1\): kv-server: could not start: .*EADDRINUSE/)
  })

  it('runs the one-file bundle of kv-server: it serves, finds its status page and reports the package version', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kv-process-'))
    const [http, swim, raft, liveness, mgmt, metrics] = await freePorts(6) as [number, number, number, number, number, number]
    node = new KvProcess('n1', { http, swim, raft, liveness, mgmt, metrics }, path.join(dir, 'n1'), [], 1, ['--status-page'], { bundled: true })
    await node.whenReady(15_000)
    await waitFor(() => node?.now.state === 'Operational', { timeoutMs: 15_000, what: 'the bundled node Operational' })
    const client = new ManagementClient({ address: node.mgmt })
    try {
      const status = await client.status()
      expect(status.version).to.match(/^\d+\.\d+\.\d+/)
    } finally {
      client.close()
    }
    const page = await fetch(`http://127.0.0.1:${metrics}/status`)
    expect(page.status).to.equal(200)
    expect(await page.text()).to.include('<title>clusterfunk status</title>')
    const put = await fetch(`${node.http}/kv/a`, { method: 'PUT', body: 'bundled' })
    expect(put.status).to.be.oneOf([200, 204])
    expect(await (await fetch(`${node.http}/kv/a`)).text()).to.equal('bundled')
  })
})
