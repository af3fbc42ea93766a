import { expect } from 'chai'
import { UsageError, parseServerArgs } from '../src/args.js'

describe('parseServerArgs', () => {
  it('reads every flag', () => {
    const a = parseServerArgs(['--id', 'n1', '--data-dir', '/tmp/x', '--http-port', '8080', '--swim-port', '0', '--raft-port', '7001',
      '--liveness-port', '7002', '--mgmt-port', '7003', '--join', '127.0.0.1:1,127.0.0.1:2', '--join', '127.0.0.1:3', '--bootstrap-expect', '3', '--shards', '100'])
    expect(a).to.deep.include({ id: 'n1', dataDir: '/tmp/x', httpPort: 8080, swimPort: 0, raftPort: 7001, livenessPort: 7002, mgmtPort: 7003, bootstrapExpect: 3, shards: 100, zeroconf: false, cluster: 'kv' })
    expect(a.join).to.deep.equal(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'])
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
