import { expect } from 'chai'
import { importGraph } from '@clusterfunk/core/testing'

describe('entry points', () => {
  it('the main entry loads neither the simulator nor the simulated checker', () => {
    for (const entry of ['../src/index.js', '../src/index.d.ts']) {
      const graph = importGraph(new URL(entry, import.meta.url))
      expect([...graph.workspace].filter(s => s.startsWith('@clusterfunk/sim')), entry).to.deep.equal([])
      expect([...graph.files].filter(f => /\/sim[^/]*\.(js|d\.ts)$|\/packages\/sim\//.test(f)), entry).to.deep.equal([])
    }
  })

  it('the ./sim entry builds the shipping checker and endpoint on a simulated host, loading nothing of the simulator', async () => {
    const sim = await import('../src/sim.js')
    expect(sim.simLivenessChecker).to.be.a('function')
    expect(sim.simLivenessEndpoint).to.be.a('function')
    const graph = importGraph(new URL('../src/sim.js', import.meta.url))
    expect([...graph.workspace].filter(s => s.startsWith('@clusterfunk/sim'))).to.deep.equal([])
  })
})
