import { expect } from 'chai'
import fc from 'fast-check'
import { compareKeys, DiskIoError, SimDisk, Simulation } from '../src/index.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array | undefined): string | undefined => b === undefined ? undefined : new TextDecoder().decode(b)

function disk (seed = 1): SimDisk {
  return new SimDisk(new Simulation({ seed }), 'n1')
}

describe('SimDisk', () => {
  it('shows writes to reads at once', () => {
    const d = disk()
    d.put('a', text('1'))
    d.writeFile('f', text('x'))
    expect(str(d.get('a'))).to.equal('1')
    expect(str(d.readFile('f'))).to.equal('x')
    expect(d.stats.unsynced).to.equal(2)
  })

  it('loses every unsynced write in a crash in all mode', () => {
    const d = disk()
    d.put('a', text('1'))
    d.appendFile('log', text('x'))
    expect(d.crash('all')).to.deep.equal({ kept: 0, lost: 2 })
    expect(d.get('a')).to.equal(undefined)
    expect(d.exists('log')).to.equal(false)
  })

  it('keeps a synced write and everything written to the log before it', () => {
    const d = disk()
    d.put('a', text('1'))
    d.del('missing')
    d.put('b', text('2'), { sync: true })
    d.put('c', text('3'))
    d.crash('all')
    expect(d.keys()).to.deep.equal(['a', 'b'])
    expect(d.stats).to.include({ syncs: 1, crashes: 1, lostWrites: 1, unsynced: 0 })
  })

  it('keeps a file only after it is fsynced, and a key-value sync does not flush files', () => {
    const d = disk()
    d.writeFile('synced', text('s'))
    d.fsync('synced')
    d.writeFile('volatile', text('v'))
    d.put('k', text('1'), { sync: true })
    d.crash('all')
    expect(d.list()).to.deep.equal(['synced'])
    expect(str(d.get('k'))).to.equal('1')
  })

  it('keeps a random prefix of unsynced writes in prefix mode, in write order', () => {
    const results = new Set<number>()
    for (let seed = 1; seed <= 30; seed++) {
      const d = disk(seed)
      for (let i = 0; i < 10; i++) d.put(`k${i}`, text(String(i)))
      const { kept, lost } = d.crash('prefix')
      expect(kept + lost).to.equal(10)
      expect(d.keys()).to.deep.equal([...Array(kept).keys()].map(i => `k${i}`).sort(compareKeys))
      results.add(kept)
    }
    expect(results.size).to.be.above(3)
  })

  it('never leaves a batch half applied after a crash', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000 }), (seed) => {
      const d = disk(seed)
      d.batch([{ type: 'put', key: 'a', value: text('1') }, { type: 'put', key: 'b', value: text('2') }])
      d.batch([{ type: 'del', key: 'a' }, { type: 'put', key: 'c', value: text('3') }])
      d.crash('prefix')
      expect([['a', 'b'], ['b', 'c'], []]).to.deep.include(d.keys())
    }))
  })

  it('after a prefix crash holds the state of some write at or after the last sync', () => {
    const op = fc.record({ key: fc.constantFrom('a', 'b', 'c'), del: fc.boolean(), sync: fc.boolean() })
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), fc.array(op, { maxLength: 30 }), (seed, ops) => {
      const d = disk(seed)
      const model = new Map<string, string>()
      const states: string[] = [JSON.stringify([])]
      let lastSync = 0
      ops.forEach((o, i) => {
        if (o.del) { d.del(o.key, { sync: o.sync }); model.delete(o.key) } else { d.put(o.key, text(String(i)), { sync: o.sync }); model.set(o.key, String(i)) }
        states.push(JSON.stringify([...model].sort()))
        if (o.sync) lastSync = i + 1
      })
      d.crash('prefix')
      const after = JSON.stringify(d.entries().map(([k, v]) => [k, str(v)]))
      expect(states.slice(lastSync)).to.include(after)
    }))
  })

  it('renames atomically: after a crash the target holds the old or the new contents, never a mix', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const d = disk(seed)
      d.writeFile('snap', text('old'))
      d.fsync('snap')
      d.writeFile('snap.tmp', text('new-part1'))
      d.appendFile('snap.tmp', text('+part2'))
      d.rename('snap.tmp', 'snap')
      expect(d.exists('snap.tmp')).to.equal(false)
      d.crash('prefix')
      expect(['old', 'new-part1+part2']).to.include(str(d.readFile('snap')))
    }
  })

  it('makes the snapshot recipe (write, fsync, rename, fsync) durable', () => {
    const d = disk()
    d.writeFile('snap.tmp', text('state'))
    d.fsync('snap.tmp')
    d.rename('snap.tmp', 'snap')
    d.fsync('snap')
    d.crash('all')
    expect(str(d.readFile('snap'))).to.equal('state')
    expect(d.list('snap')).to.deep.equal(['snap'])
  })

  it('carries a renamed file\'s unsynced contents along when the rename is fsynced', () => {
    const d = disk()
    d.writeFile('t', text('data'))
    d.rename('t', 'f')
    d.fsync('f')
    d.crash('all')
    expect(str(d.readFile('f'))).to.equal('data')
  })

  it('fails the next writes with EIO without applying them', () => {
    const d = disk()
    d.failNextWrites(2)
    expect(() => { d.put('a', text('1')) }).to.throw(DiskIoError).with.property('code', 'EIO')
    expect(() => { d.writeFile('f', text('1')) }).to.throw(DiskIoError).with.property('code', 'EIO')
    d.put('b', text('2'))
    expect(d.keys()).to.deep.equal(['b'])
    expect(d.exists('f')).to.equal(false)
    expect(d.stats).to.include({ failedWrites: 2, writes: 1 })
  })

  it('throws ENOENT reading or renaming a missing file', () => {
    const d = disk()
    expect(() => d.readFile('nope')).to.throw(DiskIoError).with.property('code', 'ENOENT')
    expect(() => { d.rename('nope', 'x') }).to.throw(DiskIoError).with.property('code', 'ENOENT')
  })

  it('iterates a key range in order, reversed and limited', () => {
    const d = disk()
    for (const k of ['b', 'a', 'd', 'c', 'e']) d.put(k, text(k))
    expect(d.keys({ gte: 'b', lt: 'e' })).to.deep.equal(['b', 'c', 'd'])
    expect(d.keys({ gt: 'b', lte: 'e', reverse: true, limit: 2 })).to.deep.equal(['e', 'd'])
    expect(d.entries({ gte: 'e' }).map(([k, v]) => [k, str(v)])).to.deep.equal([['e', 'e']])
  })

  it('copies values in and out so callers may reuse buffers', () => {
    const d = disk()
    const value = text('abc')
    d.put('k', value)
    value[0] = 0
    const read = d.get('k') as Uint8Array
    read[1] = 0
    expect(str(d.get('k'))).to.equal('abc')
  })

  it('orders keys like their UTF-8 bytes, as classic-level does', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
      expect(Math.sign(compareKeys(a, b))).to.equal(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))))
    }))
  })
})
