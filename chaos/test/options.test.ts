import { expect } from 'chai'
import { ChaosUsageError, parseChaosOptions } from '../src/options.js'

describe('parseChaosOptions', () => {
  it('gives the long run by default: 5 nodes, 300 s, network namespaces, a random seed', () => {
    const o = parseChaosOptions([], () => 42)
    expect(o).to.deep.include({ seeds: [42], nodes: 5, durationMs: 300_000, netns: true, pressure: false, idle: false, short: false, unbundled: false })
  })

  it('runs kv-server from its modules with --unbundled', () => {
    expect(parseChaosOptions(['--unbundled'], () => 0).unbundled).to.equal(true)
  })

  it('gives the CI run with --short: 3 nodes for 40 s', () => {
    expect(parseChaosOptions(['--short', '--seed', '3'], () => 0)).to.deep.include({ seeds: [3], nodes: 3, durationMs: 40_000 })
  })

  it('runs seeds 1, 2 and 3 for the benchmark unless told others', () => {
    expect(parseChaosOptions(['--bench'], () => 0).seeds).to.deep.equal([1, 2, 3])
    expect(parseChaosOptions(['--bench', '--seeds', '4,5'], () => 0).seeds).to.deep.equal([4, 5])
  })

  it('names the flag at fault', () => {
    expect(() => parseChaosOptions(['--nodes', '1'], () => 0)).to.throw(ChaosUsageError, '--nodes must be a whole number >= 2')
    expect(() => parseChaosOptions(['--seed', '1', '--seeds', '2'], () => 0)).to.throw(ChaosUsageError, 'not both')
    expect(() => parseChaosOptions(['--nope'], () => 0)).to.throw(ChaosUsageError, "'--nope'")
  })
})
