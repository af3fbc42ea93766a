import { expect } from 'chai'
import { InvalidConfigError } from '@clusterfunk/core'
import { lanConfig, localConfig, swimConfig, wanConfig } from '../src/config.js'

describe('config', () => {
  it('the LAN preset carries memberlist\'s LAN values', () => {
    expect(lanConfig).to.include({
      probeIntervalMs: 1000, probeTimeoutMs: 500, indirectChecks: 3, gossipIntervalMs: 200, gossipNodes: 3,
      suspicionMult: 4, suspicionMaxTimeoutMult: 6, retransmitMult: 4, pushPullIntervalMs: 30_000,
      gossipToTheDeadTimeMs: 30_000, awarenessMaxMultiplier: 8, udpPacketSize: 1400, maxTagsBytes: 4096
    })
  })

  it('the WAN preset carries memberlist\'s WAN values', () => {
    expect(wanConfig).to.include({
      probeIntervalMs: 5000, probeTimeoutMs: 3000, indirectChecks: 3, gossipIntervalMs: 500, gossipNodes: 4,
      suspicionMult: 6, suspicionMaxTimeoutMult: 6, retransmitMult: 4, pushPullIntervalMs: 60_000, gossipToTheDeadTimeMs: 60_000
    })
  })

  it('the local preset carries memberlist\'s local values', () => {
    expect(localConfig).to.include({
      probeIntervalMs: 1000, probeTimeoutMs: 200, indirectChecks: 1, gossipIntervalMs: 100, gossipNodes: 3,
      suspicionMult: 3, suspicionMaxTimeoutMult: 6, retransmitMult: 2, pushPullIntervalMs: 15_000, gossipToTheDeadTimeMs: 15_000
    })
  })

  it('presets cannot be changed in place', () => {
    expect(Object.isFrozen(lanConfig)).to.equal(true)
  })

  it('overrides replace single fields of a preset', () => {
    const c = swimConfig(wanConfig, { gossipNodes: 7 })
    expect(c.gossipNodes).to.equal(7)
    expect(c.probeIntervalMs).to.equal(5000)
  })

  it('rejects a probe timeout not shorter than the probe interval', () => {
    expect(() => swimConfig(lanConfig, { probeTimeoutMs: 1000 })).to.throw(InvalidConfigError).with.property('option', 'probeTimeoutMs')
  })

  it('rejects non-positive or non-integer counts and intervals', () => {
    expect(() => swimConfig(lanConfig, { probeIntervalMs: 0 })).to.throw(InvalidConfigError).with.property('option', 'probeIntervalMs')
    expect(() => swimConfig(lanConfig, { gossipNodes: 1.5 })).to.throw(InvalidConfigError).with.property('option', 'gossipNodes')
    expect(() => swimConfig(lanConfig, { suspicionMult: 0 })).to.throw(InvalidConfigError).with.property('option', 'suspicionMult')
    expect(() => swimConfig(lanConfig, { pushPullIntervalMs: -1 })).to.throw(InvalidConfigError).with.property('option', 'pushPullIntervalMs')
    expect(() => swimConfig(lanConfig, { gossipIntervalMs: Number.NaN })).to.throw(InvalidConfigError).with.property('option', 'gossipIntervalMs')
  })

  it('accepts fractional milliseconds', () => {
    expect(swimConfig(lanConfig, { gossipIntervalMs: 150.5, probeTimeoutMs: 333.3 }).gossipIntervalMs).to.equal(150.5)
  })

  it('rejects a packet budget too small for a probe', () => {
    expect(() => swimConfig(lanConfig, { udpPacketSize: 300, packetOverheadBytes: 100 })).to.throw(InvalidConfigError).with.property('option', 'udpPacketSize')
  })
})
