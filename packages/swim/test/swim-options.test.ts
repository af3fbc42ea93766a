import { expect } from 'chai'
import { InvalidArgumentError, InvalidConfigError } from '@clusterfunk/core'
import { formatAddress, generateKey, parseAddress, Swim, type SwimInit } from '../src/index.js'

function optionOf (init: unknown): string | undefined {
  try {
    void new Swim({}, init as SwimInit)
    return undefined
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidConfigError)
    return (err as InvalidConfigError).option
  }
}

describe('Swim options', () => {
  it('each bad option is named in the InvalidConfigError', () => {
    expect(optionOf({ id: '' })).to.equal('id')
    expect(optionOf({ id: 'a', host: 'localhost' })).to.equal('host')
    expect(optionOf({ id: 'a', port: 70000 })).to.equal('port')
    expect(optionOf({ id: 'a', host: '0.0.0.0' })).to.equal('advertiseAddress')
    expect(optionOf({ id: 'a', advertiseAddress: 'nope' })).to.equal('advertiseAddress')
    expect(optionOf({ id: 'a', preset: 'galaxy' })).to.equal('preset')
    expect(optionOf({ id: 'a', config: { probeIntervalMs: -1 } })).to.equal('probeIntervalMs')
    expect(optionOf({ id: 'a', config: { tcpTimeoutMs: 0 } })).to.equal('tcpTimeoutMs')
    expect(optionOf({ id: 'a', config: { probeIntervalMS: 100 } })).to.equal('probeIntervalMS')
    expect(optionOf({ id: 'a', keys: ['short'] })).to.equal('keys')
    expect(optionOf({ id: 'a', label: 'x' })).to.equal('label')
    expect(optionOf({ id: 'a', tags: { big: 'x'.repeat(5000) } })).to.equal('tags')
    expect(optionOf({ id: 'a', maxConcurrentPushPulls: 0 })).to.equal('maxConcurrentPushPulls')
  })

  it('defaults bind 127.0.0.1 with the LAN preset and no encryption', () => {
    const s = new Swim({}, { id: 'a' })
    expect(s.config.probeIntervalMs).to.equal(1000)
    expect(s.config.packetOverheadBytes).to.equal(0)
    expect(s.keyring).to.equal(undefined)
  })

  it('keys reserve the encryption overhead and the freshness header in the datagram budget', () => {
    const s = new Swim({}, { id: 'a', keys: [generateKey()], label: 'prod', preset: 'local' })
    // 29 for AES-GCM; 28 fixed header bytes, the 1-byte sender id and 64 reserved for the recipient address.
    expect(s.config.packetOverheadBytes).to.equal(29 + 28 + 1 + 64)
    expect(s.config.tcpTimeoutMs).to.equal(1000)
  })

  it('tags up to 4 KiB are accepted, and setTags rejects more', () => {
    const s = new Swim({}, { id: 'a', tags: { k: 'v'.repeat(4095) } })
    expect(() => { s.setTags({ k: 'v'.repeat(4096) }) }).to.throw(InvalidArgumentError)
  })

  it('addresses are host:port with IP literals, IPv6 in brackets', () => {
    expect(parseAddress('127.0.0.1:7946')).to.deep.equal({ host: '127.0.0.1', port: 7946 })
    expect(parseAddress('[::1]:7946')).to.deep.equal({ host: '::1', port: 7946 })
    expect(formatAddress('::1', 7946)).to.equal('[::1]:7946')
    for (const bad of ['', 'host:1', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:99999', '::1:7946', '[::1]7946', '1.2.3.4:12a']) {
      expect(parseAddress(bad), bad).to.equal(undefined)
    }
  })

  it('calls that need a running node throw NotStartedError before start', async () => {
    const s = new Swim({}, { id: 'a', port: 0 })
    expect(() => s.members()).to.throw().with.property('name', 'NotStartedError')
    const err = await s.join(['127.0.0.1:1']).then(() => undefined, (e: unknown) => e)
    expect(err).to.have.property('name', 'NotStartedError')
  })
})
