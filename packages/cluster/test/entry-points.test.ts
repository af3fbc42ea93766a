import { expect } from 'chai'
import { importGraph } from '@clusterfunk/core/testing'

describe('entry points', () => {
  it('the main entry loads neither the simulator, nor any package\'s simulation, nor a test aid', () => {
    for (const entry of ['../src/index.js', '../src/index.d.ts']) {
      const graph = importGraph(new URL(entry, import.meta.url))
      expect([...graph.workspace].filter(s => /^@clusterfunk\/sim\b|\/sim$|\/testing$/.test(s)), entry).to.deep.equal([])
      expect([...graph.files].filter(f => /\/sim[^/]*\.(js|d\.ts)$|\/src\/sim\/|\/packages\/sim\/|\/(testing|memory-network)\.(js|d\.ts)$/.test(f)), entry)
        .to.deep.equal([])
    }
  })

  it('the ./sim entry holds whole simulated nodes, and ./testing the test aids', async () => {
    const sim = await import('../src/sim/index.js')
    expect(sim.SimClusterNode).to.be.a('function')
    const testing = await import('../src/testing.js')
    expect(testing.MemoryMulticastNetwork).to.be.a('function')
    expect(testing.MemoryCluster).to.be.a('function')
  })
})
