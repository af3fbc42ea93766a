import { readFileSync } from 'node:fs'
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { MANAGEMENT_ENDPOINT, ManagementServer, type ZeroconfPeer } from '@clusterfunk/management'
import { MemoryCluster } from '@clusterfunk/management/testing'
import { ExitCode, run, type CtlIo } from '../src/index.js'
import { startCluster, type TestCluster } from './helpers.js'

interface Captured { code: number, stdout: string, stderr: string }

async function runWith (argv: string[], extra: Partial<CtlIo> = {}): Promise<Captured> {
  let stdout = ''
  let stderr = ''
  const code = await run(argv, { stdout: (s) => { stdout += s }, stderr: (s) => { stderr += s }, ...extra })
  return { code, stdout, stderr }
}

function peer (nodeId: string, kind: string, port: number, addresses = ['127.0.0.1']): ZeroconfPeer {
  return {
    instance: `orders_${kind}_${nodeId}`, clusterName: 'orders', nodeId, kind, port,
    ports: { [kind]: port }, protocolVersion: 1, host: `${nodeId}.local`, addresses, txt: {}
  }
}

describe('funkctl run()', () => {
  describe('diag', () => {
    it('lists the records zeroconf found, sorted, with a summary line', async () => {
      const asked: Array<[string, number]> = []
      const discover = async (name: string, ms: number): Promise<ZeroconfPeer[]> => {
        asked.push([name, ms])
        return [peer('b', 'swim', 7946, ['10.0.0.2']), peer('a', 'mgmt', 9090, ['10.0.0.1', 'fe80::1']), peer('a', 'swim', 7946, ['10.0.0.1'])]
      }
      const r = await runWith(['diag', '--cluster', 'orders'], { discover })
      expect(asked).to.deep.equal([['orders', 1000]])
      expect(r).to.deep.equal({
        code: 0,
        stderr: '',
        stdout: [
          'NODE  KIND  ADDRESSES         PORT  PROTO  HOST     INSTANCE',
          'a     mgmt  10.0.0.1,fe80::1  9090      1  a.local  orders_mgmt_a',
          'a     swim  10.0.0.1          7946      1  a.local  orders_swim_a',
          'b     swim  10.0.0.2          7946      1  b.local  orders_swim_b',
          '2 nodes, 1 management endpoint in cluster orders (browsed 1.0 s)', ''
        ].join('\n')
      })
    })

    it('says when nothing was found, and gives JSON with --json', async () => {
      const none = await runWith(['diag', '-c', 'orders'], { discover: async () => [] })
      expect(none.stdout).to.equal('no _clusterfunk._udp records of cluster orders found in 1.0 s\n')
      const json = await runWith(['diag', '-c', 'orders', '--json'], { discover: async () => [peer('a', 'mgmt', 9090)] })
      expect(JSON.parse(json.stdout)).to.deep.equal([peer('a', 'mgmt', 9090)])
    })

    it('needs --cluster (exit 2)', async () => {
      const r = await runWith(['diag'], { discover: async () => { throw new Error('must not browse') } })
      expect(r).to.deep.equal({ code: ExitCode.USAGE, stdout: '', stderr: 'funkctl: diag needs --cluster <name> (or FUNKCTL_CLUSTER)\n' })
    })
  })

  describe('finding the endpoint by zeroconf', () => {
    let t: TestCluster
    before(async () => { t = await startCluster() })
    after(async () => { await t.stop() })

    it('uses the first mgmt record of --cluster when no --endpoint is given', async () => {
      const port = Number(t.endpoint('b').split(':')[1])
      const r = await runWith(['status', '--json', '--cluster', 'orders'], { discover: async () => [peer('c', 'swim', 1), peer('b', 'mgmt', port)] })
      expect(r.code).to.equal(0)
      expect(JSON.parse(r.stdout)).to.include({ nodeId: 'b' })
    })

    it('exits 3 when zeroconf finds no mgmt record', async () => {
      const r = await runWith(['nodes'], { env: { FUNKCTL_CLUSTER: 'orders' }, discover: async () => [peer('a', 'swim', 7946)] })
      expect(r).to.deep.equal({
        code: ExitCode.UNREACHABLE,
        stdout: '',
        stderr: 'funkctl: no management endpoint of cluster orders found by zeroconf in 1 s; pass --endpoint host:port\n'
      })
    })
  })

  describe('TLS', function () {
    this.timeout(30_000)
    let dir: string
    let server: ManagementServer

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'funkctl-tls-'))
      await promisify(execFile)('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=funkctl-test',
        '-addext', 'subjectAltName=IP:127.0.0.1'
      ], { timeout: 20_000 })
      const cluster = new MemoryCluster({ name: 'tls', nodes: ['a'], shardCount: 10 })
      server = new ManagementServer({ source: cluster.source('a') }, {
        tls: { cert: await readFile(path.join(dir, 'cert.pem')), key: await readFile(path.join(dir, 'key.pem')) }, token: 't'
      })
      await server.start()
      cluster.setEndpoint('a', MANAGEMENT_ENDPOINT, server.endpoint())
    })
    after(async () => {
      await server.stop()
      await rm(dir, { recursive: true, force: true })
    })

    it('talks TLS with --tls-ca, and a missing CA file is a usage error', async () => {
      const ok = await runWith(['shards', '--json', '-e', server.endpoint(), '-t', 't', '--tls-ca', path.join(dir, 'cert.pem')])
      expect(ok.code, ok.stderr).to.equal(0)
      expect(JSON.parse(ok.stdout)).to.include({ total: 10 })
      const missing = await runWith(['shards', '-e', server.endpoint(), '--tls-ca', path.join(dir, 'nope.pem')])
      expect(missing.code).to.equal(ExitCode.USAGE)
      expect(missing.stderr).to.match(/^funkctl: cannot read --tls-ca .*nope\.pem/)
    })

    it('without --tls-ca the TLS server is unreachable (exit 3), and the message names --tls-ca', async () => {
      const r = await runWith(['status', '-e', server.endpoint(), '-t', 't', '--timeout', '3s'])
      expect(r.code).to.equal(ExitCode.UNREACHABLE)
      expect(r.stderr).to.match(/^funkctl: cannot reach 127\.0\.0\.1:\d+.*\(if the cluster uses TLS, pass --tls-ca <ca\.pem> or set FUNKCTL_TLS_CA/)
    })

    it('a --tls-ca that holds no PEM certificate is a usage error saying what the file must hold', async () => {
      // The private key is PEM, but not a certificate: grpc-js alone would report "self-signed certificate".
      for (const file of [path.join(dir, 'key.pem'), path.join(dir, 'garbage.der')]) {
        if (file.endsWith('.der')) await writeFile(file, Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02]))
        const r = await runWith(['status', '-e', server.endpoint(), '-t', 't', '--tls-ca', file])
        expect(r.code).to.equal(ExitCode.USAGE)
        expect(r.stderr).to.contain(`--tls-ca ${file} holds no PEM certificate`).and.contain('pass the CA certificate that signed')
      }
    })

    it('a --tls-ca that did not sign the node\'s certificate says so and names --tls-ca', async () => {
      const other = path.join(dir, 'other.pem')
      await promisify(execFile)('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', path.join(dir, 'other-key.pem'), '-out', other, '-days', '2', '-subj', '/CN=another-ca'
      ], { timeout: 20_000 })
      const r = await runWith(['status', '-e', server.endpoint(), '-t', 't', '--tls-ca', other, '--timeout', '3s'])
      expect(r.code).to.equal(ExitCode.UNREACHABLE)
      expect(r.stderr).to.contain(`--tls-ca ${other}`)
    })
  })

  it('--help prints the commands and the exit codes and exits 0', async () => {
    const r = await runWith(['--help'])
    expect(r.code).to.equal(0)
    expect(r.stdout).to.contain('step-down').and.contain('Exit codes:').and.contain('FUNKCTL_TOKEN')
  })

  it('--version and -V print the package version and exit 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    for (const flag of ['--version', '-V']) {
      const r = await runWith([flag])
      expect(r.code).to.equal(0)
      expect(r.stdout).to.equal(`${version}\n`)
    }
  })

  it('refuses to send a token in clear to a non-loopback address unless --insecure (exit 2)', async () => {
    const r = await runWith(['status', '-e', '192.0.2.1:9090', '-t', 'secret'])
    expect(r.code).to.equal(ExitCode.USAGE)
    // It names the flags that fix it, not the library option.
    expect(r.stderr).to.match(/^funkctl: refusing to send the token in clear to the non-loopback address 192\.0\.2\.1:9090: pass --tls-ca <ca\.pem> .* or --insecure /)
    expect(r.stderr).not.to.contain('allowInsecureToken')
  })
})
