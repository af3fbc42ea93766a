import { expect } from 'chai'
import { FuzzUsageError, parseFuzzOptions } from '../src/options.js'

describe('parseFuzzOptions', () => {
  const seed = (): number => 99

  it('has CI sizes in --short and full sizes without it', () => {
    const short = parseFuzzOptions(['--short'], seed)
    expect(short).to.deep.include({ seed: 99, short: true, inputs: 2_000, nodes: 3, idleConnections: 1_000 })
    expect(short.clusters).to.deep.equal(['plain', 'secured'])
    const full = parseFuzzOptions([], seed)
    expect(full).to.deep.include({ inputs: 100_000, idleConnections: 20_000, replayDelayMs: 60_000 })
  })

  it('takes a seed, a cluster kind, inputs and a duration', () => {
    expect(parseFuzzOptions(['--seed', '5', '--cluster', 'secured', '--inputs', '10', '--duration', '30'], seed))
      .to.deep.include({ seed: 5, clusters: ['secured'], inputs: 10, durationMs: 30_000 })
  })

  it('refuses a bad flag with a message naming it', () => {
    expect(() => parseFuzzOptions(['--cluster', 'odd'], seed)).to.throw(FuzzUsageError, '--cluster is plain, secured or both')
    expect(() => parseFuzzOptions(['--inputs', '0'], seed)).to.throw(FuzzUsageError, '--inputs must be a whole number >= 1')
    expect(() => parseFuzzOptions(['--nope'], seed)).to.throw(FuzzUsageError)
  })
})
