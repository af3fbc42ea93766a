import { expect } from 'chai'
import { createRandom, INCARNATIONS, TERMS } from '@clusterfunk/core'
import { boundaryValues, mutateBytes, structuredInput, varint } from '../src/mutate.js'
import { raftCorpus, swimCorpus } from '../src/messages.js'

describe('mutate', () => {
  it('draws the same inputs from the same seed', () => {
    const corpus = raftCorpus(['n1'])
    const run = (seed: number): string[] => {
      const r = createRandom(seed)
      return Array.from({ length: 50 }, () => structuredInput(r, corpus.type, r.pick(corpus.samples)).toString('hex'))
    }
    expect(run(7)).to.deep.equal(run(7))
    expect(run(7)).to.not.deep.equal(run(8))
  })

  it('offers the ends of the counter ranges, the first unsafe integer and a negative value', () => {
    expect(boundaryValues('uint64')).to.include.members([0, TERMS.max - 1, TERMS.max, Number.MAX_SAFE_INTEGER, 2 ** 53, -1])
    expect(boundaryValues('uint32')).to.include.members([0, INCARNATIONS.max, 0xffff_ffff, -1])
  })

  it('builds SWIM packets that still encode after a field is made hostile', () => {
    const r = createRandom(3)
    const corpus = swimCorpus(['n1', 'n2'], '127.0.0.1:1')
    for (let i = 0; i < 200; i++) expect(structuredInput(r, corpus.type, r.pick(corpus.samples)).length).to.be.at.least(0)
  })

  it('damages bytes without throwing, and encodes varints as protobuf does', () => {
    const r = createRandom(5)
    for (let i = 0; i < 200; i++) expect(Buffer.isBuffer(mutateBytes(r, Buffer.from([8, 1, 18, 2, 97, 98])))).to.equal(true)
    expect([...varint(300)]).to.deep.equal([0xac, 0x02])
    expect([...varint(0)]).to.deep.equal([0])
  })
})
