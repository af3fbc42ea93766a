import { expect } from 'chai'
import fc from 'fast-check'
import { instanceName, parseInstanceName } from '../../src/index.js'

describe('zeroconf instance names', () => {
  it('are <cluster>_<kind>_<nodeId>, as clusterfunk named them', () => {
    expect(instanceName({ clusterName: 'demo', kind: 'serf', nodeId: 'node-1' })).to.equal('demo_serf_node-1')
  })

  it('split back at the first two underscores, so node ids may hold underscores', () => {
    expect(parseInstanceName('demo_mgmt_node_7')).to.deep.equal({ clusterName: 'demo', kind: 'mgmt', nodeId: 'node_7' })
  })

  it('parse back to their parts for every valid combination', () => {
    const cluster = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/)
    const kind = fc.stringMatching(/^[a-z][a-z0-9-]{0,7}$/)
    const node = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/)
    fc.assert(fc.property(cluster, kind, node, (clusterName, k, nodeId) => {
      const parts = { clusterName, kind: k, nodeId }
      expect(parseInstanceName(instanceName(parts))).to.deep.equal(parts)
    }))
  })

  it('refuse parts that would make the name ambiguous or not one DNS label', () => {
    expect(() => instanceName({ clusterName: 'a_b', kind: 'swim', nodeId: 'n' })).to.throw(RangeError)
    expect(() => instanceName({ clusterName: 'a', kind: 'sw_im', nodeId: 'n' })).to.throw(RangeError)
    expect(() => instanceName({ clusterName: 'a', kind: 'swim', nodeId: 'n.1' })).to.throw(RangeError)
    expect(() => instanceName({ clusterName: 'a', kind: 'swim', nodeId: 'n'.repeat(60) })).to.throw(RangeError, /DNS label/)
  })

  it('parse to undefined for anything that is not one of ours', () => {
    for (const name of [undefined, 42, '', 'printer', 'a_b', '_swim_n', 'a__n', 'a_Swim_n', 'a_swim_', 'a_swim_n.x', `a_swim_${'n'.repeat(70)}`]) {
      expect(parseInstanceName(name), String(name)).to.equal(undefined)
    }
  })
})
