import { expect } from 'chai'
import { InvalidConfigError } from '@clusterfunk/core'
import { CLUSTER_TIMINGS, resolveClusterInit } from '../../src/index.js'

describe('cluster options: timing presets', () => {
  const base = { name: 'x', dataDir: '/tmp/unused' }

  it('are stable by default: the Raft default preset, a 1 s lease and ack wait, liveness 200 ms × 5', () => {
    const o = resolveClusterInit(base)
    expect(o.timing).to.equal('stable')
    expect(o).to.deep.include({ raftPreset: 'default', leaseMs: 1_000, ackTimeoutMs: 1_000, livenessIntervalMs: 200, livenessRetries: 5 })
  })

  it('fast sets every timing of its preset', () => {
    const o = resolveClusterInit({ ...base, timing: 'fast' })
    expect(o).to.deep.include({ ...CLUSTER_TIMINGS.fast, timing: 'fast' })
  })

  it('an option set on its own overrides its preset, the others keep the preset', () => {
    const o = resolveClusterInit({ ...base, timing: 'fast', livenessRetries: 6, leaseMs: 400 })
    expect(o).to.deep.include({ raftPreset: 'fast', leaseMs: 400, ackTimeoutMs: 500, livenessIntervalMs: 100, livenessRetries: 6 })
  })

  it('refuses an unknown preset, and a lease shorter than three heartbeats of its Raft preset', () => {
    expect(() => resolveClusterInit({ ...base, timing: 'quick' as never })).to.throw(InvalidConfigError).with.property('option', 'timing')
    expect(() => resolveClusterInit({ ...base, leaseMs: 299 })).to.throw(InvalidConfigError, 'at least 300 ms').with.property('option', 'leaseMs')
    expect(resolveClusterInit({ ...base, timing: 'fast', leaseMs: 150 }).leaseMs).to.equal(150)
    expect(() => resolveClusterInit({ ...base, leaseMs: 0 })).to.throw(InvalidConfigError).with.property('option', 'leaseMs')
  })
})
