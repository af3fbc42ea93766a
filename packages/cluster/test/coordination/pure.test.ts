import { expect } from 'chai'
import { EventCoalescer, QueryReplies, infoFromTags, infoTags, type UserEvent } from '../../src/index.js'

const ev = (name: string, ltime: number, coalesce = true, origin = 'a'): UserEvent => ({ name, payload: new Uint8Array(0), ltime, origin, coalesce })

describe('coordination: the pure parts', () => {
  it('the coalescer passes plain events at once and delivers only the latest of a name once its window closes', () => {
    const c = new EventCoalescer(200, 2)
    expect(c.add(0, ev('x', 1, false))).to.have.length(1)
    expect(c.add(0, ev('cfg', 3))).to.deep.equal([])
    expect(c.add(50, ev('cfg', 2))).to.deep.equal([])
    expect(c.add(60, ev('cfg', 5, true, 'b'))).to.deep.equal([])
    expect(c.nextAt()).to.equal(200)
    expect(c.due(199)).to.deep.equal([])
    expect(c.due(200).map(e => [e.ltime, e.origin])).to.deep.equal([[5, 'b']])
    expect(c.size).to.equal(0)
    // At most maxNames names are held: one beyond passes at once.
    c.add(0, ev('n1', 1))
    c.add(0, ev('n2', 1))
    expect(c.add(0, ev('n3', 1)).map(e => e.name)).to.deep.equal(['n3'])
    expect(c.flush().map(e => e.name).sort()).to.deep.equal(['n1', 'n2'])
  })

  it('query replies count each responder once, stay within their buffer, and end when every filtered node responded', async () => {
    let closed = 0
    const r = new QueryReplies(2, new Set(['a', 'b']), () => { closed++ })
    r.push({ from: 'a', ack: true, payload: new Uint8Array(0) })
    r.push({ from: 'a', ack: true, payload: new Uint8Array(0) })
    r.push({ from: 'z', ack: false, payload: new Uint8Array(0) })
    r.push({ from: 'a', ack: false, payload: new Uint8Array([1]) })
    r.push({ from: 'b', ack: false, payload: new Uint8Array([2]) })
    expect(r.dropped).to.equal(3) // a's second ack, z (not in the filter), b beyond the buffer of 2
    expect(r.done).to.equal(true)
    expect(closed).to.equal(1)
    const got = []
    for await (const x of r) got.push([x.type, x.from])
    expect(got).to.deep.equal([['ack', 'a'], ['response', 'a']])
  })

  it('member info maps to info.<key> tags and back, refusing keys that are not names', () => {
    expect(infoTags({ zone: 'eu', 'v.1': 'x' })).to.deep.equal({ 'info.zone': 'eu', 'info.v.1': 'x' })
    expect(infoFromTags(new Map([['info.zone', 'eu'], ['ep.http', 'h'], ['info.a', '1']]))).to.deep.equal({ a: '1', zone: 'eu' })
    expect(() => infoTags({ 'a b': 'x' })).to.throw(/not a member info key/)
    expect(() => infoTags({ a: 1 as unknown as string })).to.throw(/not a string/)
  })
})
