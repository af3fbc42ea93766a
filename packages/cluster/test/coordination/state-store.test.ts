import { expect } from 'chai'
import fc from 'fast-check'
import { CompactedError, CoordinationLimitError, StateStore, checkWrite } from '../../src/index.js'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const limits = { maxKeyBytes: 8, maxValueBytes: 16, maxTotalBytes: 64, maxKeys: 4, historyRevisions: 5 }

type Op = { put: true, key: string, value: string, expected: number | undefined } | { put: false, key: string, expected: number | undefined }
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ put: fc.constant(true as const), key: fc.constantFrom('a', 'b', 'c'), value: fc.string({ maxLength: 4 }), expected: fc.option(fc.nat(6), { nil: undefined }) }),
  fc.record({ put: fc.constant(false as const), key: fc.constantFrom('a', 'b', 'c'), expected: fc.option(fc.nat(6), { nil: undefined }) })
)

describe('shared state store', () => {
  it('gives every successful write the next revision and stamps the leader time it carries', () => {
    const s = new StateStore()
    expect(s.put('a', bytes('1'), undefined, 100)).to.deep.equal({ ok: true, revision: 1 })
    expect(s.put('b', bytes('2'), undefined, 101)).to.deep.equal({ ok: true, revision: 2 })
    expect(s.put('a', bytes('3'), undefined, 102)).to.deep.equal({ ok: true, revision: 3 })
    const a = s.get('a')
    expect(a?.revision).to.equal(3)
    expect(a?.createdRevision).to.equal(1)
    expect(a?.writtenAtMs).to.equal(102)
    expect(s.list().map(e => e.key)).to.deep.equal(['a', 'b'])
  })

  it('applies a compare-and-set only at the expected revision, and 0 means absent', () => {
    const s = new StateStore()
    expect(s.put('k', bytes('x'), 0, 1)).to.deep.equal({ ok: true, revision: 1 })
    expect(s.put('k', bytes('y'), 0, 2)).to.deep.equal({ ok: false, reason: 'mismatch', actual: 1 })
    expect(s.delete('k', 7, 3)).to.deep.equal({ ok: false, reason: 'mismatch', actual: 1 })
    expect(s.delete('k', 1, 4)).to.deep.equal({ ok: true, revision: 2 })
    expect(s.get('k')).to.equal(undefined)
    expect(s.revision).to.equal(2)
  })

  it('CAS semantics match a model map for any sequence of writes', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), ops => {
      const s = new StateStore()
      const model = new Map<string, { value: string, revision: number }>()
      let revision = 0
      for (const op of ops) {
        const current = model.get(op.key)?.revision ?? 0
        const out = op.put ? s.put(op.key, bytes(op.value), op.expected, 0) : s.delete(op.key, op.expected, 0)
        if (op.expected !== undefined && op.expected !== current) {
          expect(out).to.deep.equal({ ok: false, reason: 'mismatch', actual: current })
          continue
        }
        revision++
        expect(out).to.deep.equal({ ok: true, revision })
        if (op.put) model.set(op.key, { value: op.value, revision })
        else model.delete(op.key)
      }
      expect(s.list().map(e => [e.key, new TextDecoder().decode(e.value), e.revision])).to.deep.equal(
        [...model.entries()].sort(([a], [b]) => a < b ? -1 : 1).map(([k, v]) => [k, v.value, v.revision]))
    }))
  })

  it('refuses keys, values, totals and key counts past their limits with the limit named, changing nothing', () => {
    const s = new StateStore(limits)
    expect(s.put('123456789', bytes('v'), undefined, 0)).to.include({ ok: false, reason: 'limit', limit: 'key' })
    expect(s.put('k', new Uint8Array(17), undefined, 0)).to.include({ ok: false, reason: 'limit', limit: 'value' })
    for (const k of ['a', 'b', 'c']) expect(s.put(k, new Uint8Array(15), undefined, 0).ok).to.equal(true)
    expect(s.put('d', new Uint8Array(16), undefined, 0)).to.include({ ok: false, reason: 'limit', limit: 'total' })
    expect(s.put('d', new Uint8Array(1), undefined, 0).ok).to.equal(true)
    expect(s.put('e', new Uint8Array(1), undefined, 0)).to.include({ ok: false, reason: 'limit', limit: 'keys' })
    expect(s.revision).to.equal(4)
    expect(() => { checkWrite('', undefined) }).to.throw(CoordinationLimitError)
  })

  it('keeps recent revisions for watchers and says when a resume point is compacted', () => {
    const s = new StateStore({ ...limits, maxTotalBytes: 10_000, maxKeys: 100 })
    for (let i = 0; i < 100; i++) s.put(`k${i % 3}`, bytes(String(i)), undefined, i)
    const oldest = s.oldestKept()
    expect(oldest).to.be.greaterThan(1)
    expect(s.since(oldest).map(e => e.revision)).to.deep.equal(Array.from({ length: 101 - oldest }, (_, i) => oldest + i))
    expect(s.since(101)).to.deep.equal([])
    expect(s.since(oldest, 'k1').every(e => e.key === 'k1')).to.equal(true)
    expect(() => s.since(oldest - 1)).to.throw(CompactedError)
  })

  it('restores a snapshot to the same content', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 30 }), ops => {
      const s = new StateStore()
      for (const op of ops) {
        if (op.put) s.put(op.key, bytes(op.value), op.expected, 5)
        else s.delete(op.key, op.expected, 5)
      }
      const t = new StateStore()
      t.restore(s.snapshot())
      expect(t.snapshot()).to.deep.equal(s.snapshot())
      expect(t.totalBytes).to.equal(s.totalBytes)
    }))
  })
})
