import { expect } from 'chai'
import { SeededRandom, createRandom } from '../src/index.js'

describe('SeededRandom', () => {
  it('makes the same choices for the same seed', () => {
    const draw = (r: SeededRandom): number[] => [r.float(), r.int(0, 1000), r.uint32(), ...r.shuffle([1, 2, 3, 4, 5, 6])]
    expect(draw(new SeededRandom(42))).to.deep.equal(draw(new SeededRandom(42)))
    expect(draw(new SeededRandom(42))).to.not.deep.equal(draw(new SeededRandom(43)))
  })

  it('keeps ints within their bounds and covers them', () => {
    const r = new SeededRandom(7)
    const seen = new Set<number>()
    for (let i = 0; i < 1000; i++) {
      const v = r.int(3, 6)
      expect(v).to.be.within(3, 6)
      seen.add(v)
    }
    expect([...seen].sort()).to.deep.equal([3, 4, 5, 6])
  })

  it('forks an independent but reproducible generator', () => {
    const a = new SeededRandom(1).fork()
    const b = new SeededRandom(1).fork()
    expect(a.uint32()).to.equal(b.uint32())
  })

  it('rejects impossible ranges and empty picks', () => {
    const r = createRandom(3)
    expect(() => r.int(5, 4)).to.throw(RangeError)
    expect(() => r.pick([])).to.throw(RangeError)
    expect(r.chance(0)).to.equal(false)
    expect(r.chance(1)).to.equal(true)
  })
})
