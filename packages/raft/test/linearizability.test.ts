import { expect } from 'chai'
import fc from 'fast-check'
import { checkLinearizable, kvModel, type KvInput, type KvOutput, type Operation } from '../src/sim.js'

type Op = Operation<KvInput, KvOutput>
const get = (client: number, key: string, output: string | null, call: number, ret: number): Op => ({ client, input: { op: 'get', key }, call, return: ret, output })
const put = (client: number, key: string, value: string, call: number, ret?: number): Op => ({ client, input: { op: 'put', key, value }, call, ...(ret === undefined ? {} : { return: ret, output: true }) })
const cas = (client: number, key: string, expected: string | null, value: string, output: boolean | undefined, call: number, ret?: number): Op =>
  ({ client, input: { op: 'cas', key, expected, value }, call, ...(ret === undefined ? {} : { return: ret, output }) })

describe('the linearizability checker', () => {
  it('accepts a sequential history that follows the model', () => {
    const h = [put(0, 'x', 'a', 1, 2), get(1, 'x', 'a', 3, 4), cas(0, 'x', 'a', 'b', true, 5, 6), get(1, 'x', 'b', 7, 8), cas(1, 'x', 'a', 'c', false, 9, 10)]
    expect(checkLinearizable(kvModel, h).verdict).to.equal('ok')
  })

  it('rejects a read of a value that was overwritten before the read began', () => {
    const h = [put(0, 'x', 'a', 1, 2), put(0, 'x', 'b', 3, 4), get(1, 'x', 'a', 5, 6)]
    const r = checkLinearizable(kvModel, [...h, get(1, 'x', 'b', 7, 8), put(0, 'x', 'c', 9, 10)])
    expect(r.verdict).to.equal('illegal')
    // The shortest failing prefix ends at the stale read.
    expect(r.failing).to.deep.equal(h)
  })

  it('rejects a stale read after a completed write (the classic split-brain read)', () => {
    const h = [put(0, 'x', 'a', 1, 2), get(1, 'x', null, 3, 4)]
    expect(checkLinearizable(kvModel, h).verdict).to.equal('illegal')
  })

  it('accepts either order for overlapping writes and a read between them', () => {
    const h = [put(0, 'x', 'a', 1, 10), put(1, 'x', 'b', 2, 9), get(2, 'x', 'a', 11, 12)]
    expect(checkLinearizable(kvModel, h).verdict).to.equal('ok')
  })

  it('rejects two reads that see overlapping writes in opposite orders', () => {
    // Both writes overlap both reads, but reads are sequential: a then b, then a again is impossible.
    const h = [put(0, 'x', 'a', 1, 20), put(1, 'x', 'b', 2, 20), get(2, 'x', 'a', 3, 4), get(2, 'x', 'b', 5, 6), get(2, 'x', 'a', 7, 8)]
    expect(checkLinearizable(kvModel, h).verdict).to.equal('illegal')
  })

  it('rejects two successful compare-and-sets from the same expected value', () => {
    const h = [put(0, 'x', 'a', 1, 2), cas(1, 'x', 'a', 'b', true, 3, 6), cas(2, 'x', 'a', 'c', true, 4, 7)]
    expect(checkLinearizable(kvModel, h).verdict).to.equal('illegal')
  })

  it('lets a write with an unknown outcome take effect late, or never', () => {
    const late = [put(0, 'x', 'a', 1, 2), put(1, 'x', 'b', 3), get(2, 'x', 'a', 4, 5), get(2, 'x', 'b', 100, 101)]
    const never = [put(0, 'x', 'a', 1, 2), put(1, 'x', 'b', 3), get(2, 'x', 'a', 4, 5), get(2, 'x', 'a', 100, 101)]
    expect(checkLinearizable(kvModel, late).verdict).to.equal('ok')
    expect(checkLinearizable(kvModel, never).verdict).to.equal('ok')
  })

  it('still rejects a read of a value no operation ever wrote, unknown writes notwithstanding', () => {
    const h = [put(1, 'x', 'b', 3), get(2, 'x', 'z', 4, 5)]
    expect(checkLinearizable(kvModel, h).verdict).to.equal('illegal')
  })

  it('rejects an unknown write that is observed before it was issued', () => {
    const h = [get(2, 'x', 'b', 1, 2), put(1, 'x', 'b', 3)]
    expect(checkLinearizable(kvModel, h).verdict).to.equal('illegal')
  })

  it('checks keys independently and names the failing key history', () => {
    const h = [put(0, 'x', 'a', 1, 2), put(0, 'y', 'a', 3, 4), get(1, 'y', null, 5, 6), get(1, 'x', 'a', 7, 8)]
    const r = checkLinearizable(kvModel, h)
    expect(r.verdict).to.equal('illegal')
    expect(r.failing?.every(op => op.input.key === 'y')).to.equal(true)
  })

  it('gives up with unknown rather than searching without bound', () => {
    const h: Op[] = []
    for (let i = 0; i < 12; i++) h.push(put(i, 'x', `v${i}`, i + 1, 1000))
    h.push(get(99, 'x', 'nobody', 1001, 1002))
    expect(checkLinearizable(kvModel, h, { maxSteps: 50 }).verdict).to.equal('unknown')
  })

  it('accepts every history produced by running operations one at a time against a map', () => {
    const opArb = fc.record({ kind: fc.constantFrom('get', 'put', 'cas'), key: fc.constantFrom('x', 'y'), value: fc.constantFrom('a', 'b', 'c'), expected: fc.constantFrom('a', 'b', null) })
    fc.assert(fc.property(fc.array(opArb, { maxLength: 30 }), fc.array(fc.nat(3), { maxLength: 30 }), (ops, overlap) => {
      // Each op takes effect at its own instant 10*i; calls and returns are stretched around it to overlap neighbours.
      const map = new Map<string, string>()
      const h: Op[] = ops.map((o, i) => {
        const call = 10 * i - 5 * (overlap[i] ?? 0)
        const ret = 10 * i + 5 * (overlap[i] ?? 0) + 1
        const before = map.get(o.key) ?? null
        if (o.kind === 'get') return get(i, o.key, before, call, ret)
        if (o.kind === 'put') { map.set(o.key, o.value); return put(i, o.key, o.value, call, ret) }
        if (before === o.expected) map.set(o.key, o.value)
        return cas(i, o.key, o.expected, o.value, before === o.expected, call, ret)
      })
      expect(checkLinearizable(kvModel, h).verdict).to.equal('ok')
    }), { numRuns: 200 })
  })
})
