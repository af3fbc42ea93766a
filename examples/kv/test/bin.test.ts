import { execFile, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'bin', 'kv-server.js')

/** Runs kv-server with `args` and resolves with its exit code and stderr. */
async function kvServer (args: string[]): Promise<{ code: number | null, stderr: string }> {
  return await new Promise(resolve => {
    execFile(process.execPath, [SERVER, ...args], { timeout: 15_000 }, (err, _stdout, stderr) => {
      resolve({ code: err === null ? 0 : (err as { code?: number }).code ?? null, stderr })
    })
  })
}

describe('kv-server flags', function () {
  this.timeout(20_000)

  it('exits 2 naming the flag when a security flag is bad', async () => {
    const r = await kvServer(['--data-dir', '/tmp/never-used', '--gossip-key', 'too-short'])
    expect(r.code).to.equal(2)
    expect(r.stderr).to.include('kv-server: --gossip-key must be 32 bytes in base64')
    expect(r.stderr).to.include('--tls-cert <path>')
  })

  it('exits 2 when --tls-cert comes without --tls-key', async () => {
    const r = await kvServer(['--data-dir', '/tmp/never-used', '--tls-cert', SERVER])
    expect(r.code).to.equal(2)
    expect(r.stderr).to.include('--tls-cert needs --tls-key')
  })

  it('leaves gracefully on a SIGTERM that arrives while it is still starting', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kv-bin-'))
    try {
      const [http, swim, raft, liveness, mgmt] = await freePorts(5)
      const child = spawn(process.execPath, [SERVER, '--id', 'n1', '--data-dir', dir, '--http-port', String(http), '--swim-port', String(swim),
        '--raft-port', String(raft), '--liveness-port', String(liveness), '--mgmt-port', String(mgmt), '--bootstrap-expect', '3'], { stdio: ['ignore', 'pipe', 'pipe'] })
      const events: string[] = []
      createInterface({ input: child.stdout }).on('line', line => { events.push((JSON.parse(line) as { event: string }).event) })
      let exit: { code: number | null, signal: string | null } | undefined
      child.on('exit', (code, signal) => { exit = { code, signal } })
      await waitFor(() => events.includes('starting'), { timeoutMs: 10_000, what: 'the starting line' })
      child.kill('SIGTERM')
      await waitFor(() => exit !== undefined, { timeoutMs: 15_000, what: 'kv-server to exit' })
      expect(exit).to.deep.equal({ code: 0, signal: null })
      expect(events).to.include.members(['stopping', 'stopped'])
      expect(events.indexOf('stopped')).to.be.greaterThan(events.indexOf('stopping'))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
