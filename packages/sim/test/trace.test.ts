import { createHash } from 'node:crypto'
import { expect } from 'chai'
import { Trace } from '../src/index.js'

describe('Trace', () => {
  it('records time, node and event, and hashes the canonical text', () => {
    let now = 0
    const trace = new Trace(() => now)
    trace.record('n1', 'hello')
    now = 1.5
    trace.record('n2', 'world')
    expect(trace.lines()).to.deep.equal(['0.000 n1 hello', '1.500 n2 world'])
    expect(trace.hash()).to.equal(createHash('sha256').update(trace.text()).digest('hex'))
  })

  it('keeps only the newest lines past maxLines but hashes all of them', () => {
    const full = new Trace(() => 0)
    const short = new Trace(() => 0, { maxLines: 3 })
    for (let i = 0; i < 10; i++) { full.record('n', `e${i}`); short.record('n', `e${i}`) }
    expect(short.lines()).to.deep.equal(['0.000 n e7', '0.000 n e8', '0.000 n e9'])
    expect(short.tail(2)).to.deep.equal(['0.000 n e8', '0.000 n e9'])
    expect(short.length).to.equal(10)
    expect(short.hash()).to.equal(full.hash())
  })

  it('records nothing when disabled', () => {
    const trace = new Trace(() => 0, { enabled: false })
    trace.record('n', 'e')
    expect(trace.lines()).to.deep.equal([])
    expect(trace.hash()).to.equal(createHash('sha256').digest('hex'))
  })
})
