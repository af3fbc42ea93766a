import { expect } from 'chai'
import fc from 'fast-check'
import { decodeEntry, encodeEntry, formatMonitorLine, frameToJson, globToRegExp, type MachineEntry } from '../src/index.js'

describe('entry codec', () => {
  it('round-trips every kind of entry', () => {
    const entry = fc.oneof(
      fc.record({ kind: fc.constant('command' as const), ts: fc.nat(), seed: fc.nat(0xffffffff), args: fc.array(fc.uint8Array({ maxLength: 20 }).map(b => Buffer.from(b)), { minLength: 1, maxLength: 5 }) }),
      fc.record({ kind: fc.constant('tick' as const), ts: fc.nat(), seed: fc.nat(0xffffffff) }),
      fc.record({ kind: fc.constant('peer' as const), ts: fc.nat(), seed: fc.nat(0xffffffff), nodeId: fc.string({ minLength: 1 }), clientAddress: fc.string() }),
      fc.record({ kind: fc.constant('unpeer' as const), ts: fc.nat(), seed: fc.nat(0xffffffff), nodeId: fc.string({ minLength: 1 }) })
    )
    fc.assert(fc.property(entry, (e) => { expect(decodeEntry(encodeEntry(e as MachineEntry))).to.deep.equal(e) }))
  })

  it('refuses truncated, padded or unknown bytes with DecodeError', () => {
    const bytes = encodeEntry({ kind: 'command', ts: 1, seed: 2, args: [Buffer.from('SET'), Buffer.from('k')] })
    for (let cut = 0; cut < bytes.length; cut++) expect(() => decodeEntry(bytes.subarray(0, cut))).to.throw().with.property('name', 'DecodeError')
    expect(() => decodeEntry(Buffer.concat([bytes, Buffer.from([0])]))).to.throw(/trailing/)
    const bad = Buffer.from(bytes)
    bad[1] = 9
    expect(() => decodeEntry(bad)).to.throw(/kind 9/)
  })
})

describe('glob', () => {
  it('matches as Redis KEYS does', () => {
    expect(globToRegExp('k*').test('key')).to.equal(true)
    expect(globToRegExp('k?y').test('key')).to.equal(true)
    expect(globToRegExp('k[ae]y').test('kay')).to.equal(true)
    expect(globToRegExp('k[^ae]y').test('kay')).to.equal(false)
    expect(globToRegExp('a.b').test('axb')).to.equal(false)
    expect(globToRegExp('\\*').test('*')).to.equal(true)
  })
})

describe('MONITOR lines and JSON replies', () => {
  it('quotes arguments as Redis does', () => {
    expect(formatMonitorLine({ timeSec: 1339518083.107412, remoteAddress: '127.0.0.1:60866', args: ['keys', 'a"b\n'] }))
      .to.equal('1339518083.107412 [0 127.0.0.1:60866] "keys" "a\\"b\\x0a"')
  })

  it('turns frames into JSON', () => {
    expect(frameToJson({ type: 'map', value: [[{ type: 'bulk', value: Buffer.from('a') }, { type: 'array', value: [{ type: 'integer', value: 1 }, { type: 'null' }] }]] }))
      .to.deep.equal({ a: [1, null] })
    expect(frameToJson({ type: 'error', value: 'ERR x' })).to.deep.equal({ error: 'ERR x' })
    expect(frameToJson({ type: 'double', value: Infinity })).to.equal('Infinity')
  })
})
