import { execFile } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'

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
})
