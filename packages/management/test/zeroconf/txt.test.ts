import { expect } from 'chai'
import fc from 'fast-check'
import { decodePorts, decodeTxt, encodePorts, encodeTxt, type RecordInfo } from '../../src/index.js'

const info: RecordInfo = { clusterName: 'orders', nodeId: 'node-a', kind: 'swim', port: 7946, ports: { swim: 7946, mgmt: 9090 }, protocolVersion: 3 }

describe('zeroconf TXT records', () => {
  it('carry the layout version, cluster, node, kind, port, every port and the protocol version', () => {
    expect(encodeTxt(info)).to.deep.equal({
      v: '1', cluster: 'orders', node: 'node-a', kind: 'swim', port: '7946', ports: 'mgmt:9090,swim:7946', proto: '3'
    })
  })

  it('decode back to what was encoded', () => {
    expect(decodeTxt(encodeTxt(info))).to.deep.equal({ ok: true, info: { ...info, ports: { mgmt: 9090, swim: 7946 } } })
  })

  it('encode ports in one order whatever order they were given in', () => {
    expect(encodePorts({ b: 2, a: 1 })).to.equal(encodePorts({ a: 1, b: 2 }))
    expect(decodePorts('a:1,b:2')).to.deep.equal({ a: 1, b: 2 })
  })

  it('reject a TXT from a newer layout as a version mismatch, not as malformed', () => {
    expect(decodeTxt({ ...encodeTxt(info), v: '2' })).to.deep.include({ ok: false, reason: 'version' })
  })

  it('reject every malformed TXT with a reason and never throw', () => {
    const good = encodeTxt(info)
    const bad: unknown[] = [
      undefined, null, 'v=1', [], {}, { ...good, v: undefined }, { ...good, cluster: 'a_b' }, { ...good, node: '' },
      { ...good, kind: 'SWIM' }, { ...good, port: '0' }, { ...good, port: '65536' }, { ...good, port: '07946' },
      { ...good, port: '9090' }, { ...good, ports: 'swim:7946,swim:7946' }, { ...good, ports: 'swim:7946:1' },
      { ...good, ports: '' }, { ...good, proto: '0' }, { ...good, proto: 'x' }, { ...good, proto: undefined },
      { ...good, cluster: 42 }, Object.assign(Object.create({ v: '1' }) as object, { cluster: 'orders' })
    ]
    for (const txt of bad) {
      const result = decodeTxt(txt)
      expect(result.ok, JSON.stringify(txt)).to.equal(false)
      if (!result.ok) expect(result.reason).to.equal('malformed')
    }
  })

  it('never throw on arbitrary input', () => {
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('v', 'cluster', 'node', 'kind', 'port', 'ports', 'proto', 'x'), fc.oneof(fc.string(), fc.constant('1'), fc.integer())), txt => {
      const result = decodeTxt(txt)
      expect(result.ok === true || result.ok === false).to.equal(true)
    }))
  })

  it('refuse to encode values that do not fit or do not agree', () => {
    expect(() => encodeTxt({ ...info, port: 1 })).to.throw(RangeError)
    expect(() => encodeTxt({ ...info, protocolVersion: 1.5 })).to.throw(RangeError)
    expect(() => encodeTxt({ ...info, nodeId: 'a.b' })).to.throw(RangeError)
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 1000 + i]))
    expect(() => encodeTxt({ ...info, ports: { ...many, swim: 7946 } })).to.throw(RangeError)
  })

  it('take ports 1..65535 and protocol versions 1..999999999 and reject every number past them', () => {
    const base = encodeTxt(info)
    const withPort = (port: string): ReturnType<typeof decodeTxt> => decodeTxt({ ...base, port, ports: `mgmt:9090,swim:${port}` })
    for (const port of ['1', '65534', '65535']) expect(withPort(port).ok, port).to.equal(true)
    for (const port of ['0', '65536', '99999', '9007199254740991', '9007199254740992', '-1', '1e3', '0x10', '']) {
      expect(withPort(port), port).to.deep.include({ ok: false, reason: 'malformed' })
    }
    for (const proto of ['1', '999999999']) expect(decodeTxt({ ...base, proto }).ok, proto).to.equal(true)
    for (const proto of ['0', '1000000000', '9007199254740992', '1.5', '']) expect(decodeTxt({ ...base, proto }), proto).to.deep.include({ ok: false })
  })
})
