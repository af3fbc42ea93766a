import { expect } from 'chai'
import { UsageError, parseServerArgs } from '../src/args.js'

describe('parseServerArgs', () => {
  it('reads every flag', () => {
    const a = parseServerArgs(['--id', 'n1', '--data-dir', '/tmp/x', '--http-port', '8080', '--swim-port', '0', '--raft-port', '7001',
      '--liveness-port', '7002', '--mgmt-port', '7003', '--join', '127.0.0.1:1,127.0.0.1:2', '--join', '127.0.0.1:3', '--bootstrap-expect', '3', '--shards', '100'])
    expect(a).to.deep.include({ id: 'n1', dataDir: '/tmp/x', httpPort: 8080, swimPort: 0, raftPort: 7001, livenessPort: 7002, mgmtPort: 7003, bootstrapExpect: 3, shards: 100, zeroconf: false, cluster: 'kv' })
    expect(a.join).to.deep.equal(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'])
  })

  it('binds 127.0.0.1 unless --host names another IP address, and refuses a name', () => {
    expect(parseServerArgs(['--data-dir', 'd']).host).to.equal('127.0.0.1')
    expect(parseServerArgs(['--data-dir', 'd', '--host', '10.77.0.2']).host).to.equal('10.77.0.2')
    expect(() => parseServerArgs(['--data-dir', 'd', '--host', 'localhost'])).to.throw(UsageError, '--host must be an IP address')
  })

  it('--status-page turns the status page on, and needs --metrics-port', () => {
    expect(parseServerArgs(['--data-dir', 'd']).statusPage).to.equal(false)
    expect(parseServerArgs(['--data-dir', 'd', '--metrics-port', '0', '--status-page'])).to.deep.include({ metricsPort: 0, statusPage: true })
    expect(() => parseServerArgs(['--data-dir', 'd', '--status-page'])).to.throw(UsageError, '--status-page needs --metrics-port')
  })

  it('requires --data-dir', () => {
    expect(() => parseServerArgs(['--id', 'n1'])).to.throw(UsageError, '--data-dir is required')
  })

  it('names a bad port flag and value', () => {
    expect(() => parseServerArgs(['--data-dir', 'd', '--http-port', '70000'])).to.throw(UsageError, '--http-port must be a port number 0..65535, not "70000"')
  })

  it('refuses a join address without a port', () => {
    expect(() => parseServerArgs(['--data-dir', 'd', '--join', 'localhost'])).to.throw(UsageError, '--join takes host:port')
  })

  it('refuses a zero --bootstrap-expect', () => {
    expect(() => parseServerArgs(['--data-dir', 'd', '--bootstrap-expect', '0'])).to.throw(UsageError, '--bootstrap-expect must be a whole number above 0')
  })

  it('refuses an unknown flag as a UsageError', () => {
    expect(() => parseServerArgs(['--data-dir', 'd', '--nope'])).to.throw(UsageError, "'--nope'")
  })
})

describe('parseServerArgs: security and limits', () => {
  const key = Buffer.alloc(32, 7).toString('base64')

  it('reads the token, gossip keys, TLS files, metrics port and store limits', () => {
    const a = parseServerArgs(['--data-dir', 'd', '--token', 'secret-token', '--gossip-key', key, '--gossip-key', key,
      '--tls-cert', 'package.json', '--tls-key', 'package.json', '--tls-ca', 'package.json', '--tls-mutual',
      '--metrics-port', '9100', '--max-entries', '10', '--max-bytes', '2048', '--max-value-bytes', '64', '--trust-gossip-endpoints'])
    expect(a).to.deep.include({ token: 'secret-token', metricsPort: 9100, maxEntries: 10, maxBytes: 2048, maxValueBytes: 64, trustGossipEndpoints: true })
    expect(a.gossipKeys).to.deep.equal([key, key])
    expect(a.tls).to.deep.equal({ cert: 'package.json', key: 'package.json', ca: 'package.json', mutual: true })
  })

  it('defaults to no security, no metrics and bounded limits', () => {
    const a = parseServerArgs(['--data-dir', 'd'])
    expect(a).to.deep.include({ token: undefined, tls: undefined, metricsPort: undefined, trustGossipEndpoints: false })
    expect(a.gossipKeys).to.deep.equal([])
    expect(a.maxEntries).to.be.above(0)
    expect(a.maxBytes).to.be.above(0)
  })

  it('reads the token from --token-file', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const dir = await mkdtemp(`${tmpdir()}/kv-args-`)
    try {
      await writeFile(`${dir}/token`, 'from-a-file-123\n')
      expect(parseServerArgs(['--data-dir', 'd', '--token-file', `${dir}/token`]).token).to.equal('from-a-file-123')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses a short token, a bad gossip key, a key without a cert and a missing file', () => {
    expect(() => parseServerArgs(['--data-dir', 'd', '--token', 'short'])).to.throw(UsageError, 'at least 8 characters')
    expect(() => parseServerArgs(['--data-dir', 'd', '--gossip-key', 'not-a-key'])).to.throw(UsageError, '--gossip-key must be 32 bytes in base64')
    expect(() => parseServerArgs(['--data-dir', 'd', '--gossip-key', Buffer.alloc(16).toString('base64')])).to.throw(UsageError, '--gossip-key must be 32 bytes')
    expect(() => parseServerArgs(['--data-dir', 'd', '--tls-key', 'package.json'])).to.throw(UsageError, 'need --tls-cert')
    expect(() => parseServerArgs(['--data-dir', 'd', '--tls-cert', 'package.json'])).to.throw(UsageError, '--tls-cert needs --tls-key')
    expect(() => parseServerArgs(['--data-dir', 'd', '--tls-cert', '/no/such.pem', '--tls-key', 'package.json'])).to.throw(UsageError, 'no such file')
    expect(() => parseServerArgs(['--data-dir', 'd', '--metrics-port', '99999'])).to.throw(UsageError, '--metrics-port must be a port number')
    expect(() => parseServerArgs(['--data-dir', 'd', '--max-entries', '0'])).to.throw(UsageError, '--max-entries must be a whole number above 0')
  })
})

describe('parseServerArgs: timing', () => {
  it('takes the cluster preset and each timing on its own, and leaves out what is not given', () => {
    expect(parseServerArgs(['--data-dir', 'd']).timing).to.deep.equal({
      preset: undefined, raftPreset: undefined, leaseMs: undefined, ackTimeoutMs: undefined, livenessIntervalMs: undefined, livenessRetries: undefined
    })
    const t = parseServerArgs(['--data-dir', 'd', '--timing', 'fast', '--raft-preset', 'default', '--lease-ms', '600', '--ack-timeout-ms', '800',
      '--liveness-interval-ms', '150', '--liveness-retries', '4']).timing
    expect(t).to.deep.equal({ preset: 'fast', raftPreset: 'default', leaseMs: 600, ackTimeoutMs: 800, livenessIntervalMs: 150, livenessRetries: 4 })
  })

  it('names a bad preset or timing and what it takes', () => {
    expect(() => parseServerArgs(['--data-dir', 'd', '--timing', 'quick'])).to.throw(UsageError, '--timing must be stable or fast, not "quick"')
    expect(() => parseServerArgs(['--data-dir', 'd', '--raft-preset', 'slow'])).to.throw(UsageError, '--raft-preset must be default or fast')
    expect(() => parseServerArgs(['--data-dir', 'd', '--lease-ms', '0'])).to.throw(UsageError, '--lease-ms must be a whole number above 0')
  })
})
