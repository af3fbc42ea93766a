import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect } from 'chai'
import { makeClusterCert } from '../src/certs.js'

const here = path.dirname(fileURLToPath(import.meta.url))

/**
 * A grpc-js TLS client dialling 127.0.0.1, in its own process (Node prints
 * a deprecation only once a process): grpc-js sets the TLS servername to
 * the target's host, an IP, and Node prints DEP0123. `fix` dials with a
 * name instead (grpc.ssl_target_name_override) and checks the certificate
 * against the IP itself, which is what the Raft transport and the
 * management client need.
 */
const probe = (certFile: string, keyFile: string, fix: boolean): string => `
import grpc from '@grpc/grpc-js'
import { checkServerIdentity } from 'node:tls'
import { readFileSync } from 'node:fs'
const cert = readFileSync(${JSON.stringify(certFile)}), key = readFileSync(${JSON.stringify(keyFile)})
const server = new grpc.Server()
const port = await new Promise((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(cert, [{ cert_chain: cert, private_key: key }], false), (e, p) => e ? rej(e) : res(p)))
const creds = ${fix ? "grpc.credentials.createSsl(cert, null, null, { checkServerIdentity: (_name, c) => checkServerIdentity('127.0.0.1', c) })" : 'grpc.credentials.createSsl(cert)'}
const client = new grpc.Client('127.0.0.1:' + port, creds, ${fix ? "{ 'grpc.ssl_target_name_override': 'clusterfunk.invalid' }" : '{}'})
const err = await new Promise(r => client.waitForReady(Date.now() + 5000, r))
console.log(err ? 'failed: ' + err.message : 'ready')
client.close()
server.forceShutdown()
`

describe('DEP0123 from grpc-js TLS clients', function () {
  this.timeout(30_000)
  let dir: string | undefined
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    dir = undefined
  })

  async function run (fix: boolean): Promise<{ stdout: string, stderr: string }> {
    dir ??= await mkdtemp(path.join(os.tmpdir(), 'fuzz-dep0123-'))
    const cert = await makeClusterCert(dir)
    return await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe(cert.certFile, cert.keyFile, fix)], { cwd: path.join(here, '..', '..') })
  }

  it('is printed when a client dials an IP: grpc-js sets the servername to it', async () => {
    const { stdout, stderr } = await run(false)
    expect(stdout.trim()).to.equal('ready')
    expect(stderr).to.include('DEP0123')
  })

  it('is not printed when the client dials a name and checks the certificate against the IP itself', async () => {
    const { stdout, stderr } = await run(true)
    expect(stdout.trim()).to.equal('ready')
    expect(stderr).to.not.include('DEP0123')
  })
})
