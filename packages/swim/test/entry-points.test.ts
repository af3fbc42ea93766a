import { expect } from 'chai'
import { importGraph } from '@clusterfunk/core/testing'

describe('entry points', () => {
  it('the main entry loads neither the simulator nor the simulated member', () => {
    for (const entry of ['../src/index.js', '../src/index.d.ts']) {
      const graph = importGraph(new URL(entry, import.meta.url))
      expect([...graph.workspace].filter(s => s.startsWith('@clusterfunk/sim')), entry).to.deep.equal([])
      expect([...graph.files].filter(f => /\/sim[^/]*\.(js|d\.ts)$|\/packages\/sim\//.test(f)), entry).to.deep.equal([])
    }
  })

  it('the ./sim entry builds the shipping Swim on a simulated host (simSwim), over @clusterfunk/sim', async () => {
    const sim = await import('../src/sim.js')
    expect(sim.simSwim).to.be.a('function')
    expect(importGraph(new URL('../src/sim.js', import.meta.url)).workspace.has('@clusterfunk/sim')).to.equal(false)
    // Type-only: the simulator's classes are the caller's; only the declarations name them.
    expect(importGraph(new URL('../src/sim.d.ts', import.meta.url)).workspace.has('@clusterfunk/sim')).to.equal(true)
  })
})
