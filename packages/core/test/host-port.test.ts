import { expect } from 'chai'
import { isLoopback, joinHostPort, parseHostPort, tlsTarget } from '../src/index.js'

describe('host:port', () => {
  it('splits and joins IPv4, IPv6 in brackets and names, and refuses what is not host:port', () => {
    expect(parseHostPort('127.0.0.1:7946')).to.deep.equal({ host: '127.0.0.1', port: 7946 })
    expect(parseHostPort('[::1]:80')).to.deep.equal({ host: '::1', port: 80 })
    expect(parseHostPort('node-a.local:1')).to.deep.equal({ host: 'node-a.local', port: 1 })
    for (const bad of ['127.0.0.1', '127.0.0.1:0', 'h:65536', '::1:80', ' h:1', 'nö :1']) expect(parseHostPort(bad), bad).to.equal(undefined)
    expect(joinHostPort('::1', 80)).to.equal('[::1]:80')
    expect(joinHostPort('127.0.0.1', 80)).to.equal('127.0.0.1:80')
  })

  it('takes 127.0.0.0/8, ::1 and localhost as loopback, nothing else', () => {
    expect(['127.0.0.1', '127.9.9.9', '::1', '[::1]', 'localhost'].every(isLoopback)).to.equal(true)
    expect(['10.0.0.1', '0.0.0.0', '::', 'example.org', '128.0.0.1'].some(isLoopback)).to.equal(false)
  })
})

describe('tlsTarget', () => {
  it('dials an IP target under a placeholder name and checks the certificate against the IP', () => {
    const t = tlsTarget('127.0.0.1:7000')
    expect(t.channelOptions['grpc.ssl_target_name_override']).to.equal('clusterfunk.invalid')
    const cert = { subject: { CN: 'x' }, subjectaltname: 'IP Address:127.0.0.1' } as never
    expect(t.verify.checkServerIdentity?.('clusterfunk.invalid', cert)).to.equal(undefined)
    const other = { subject: { CN: 'x' }, subjectaltname: 'IP Address:10.0.0.9' } as never
    expect(t.verify.checkServerIdentity?.('clusterfunk.invalid', other)).to.be.instanceOf(Error)
  })

  it('leaves a named target and an explicit server name to grpc-js', () => {
    expect(tlsTarget('node-a.local:7000')).to.deep.equal({ channelOptions: {}, verify: {} })
    expect(tlsTarget('127.0.0.1:7000', 'localhost')).to.deep.equal({ channelOptions: { 'grpc.ssl_target_name_override': 'localhost' }, verify: {} })
  })
})
