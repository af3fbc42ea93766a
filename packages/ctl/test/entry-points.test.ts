import { expect } from 'chai'
import { importGraph } from '@clusterfunk/core/testing'

describe('entry points', () => {
  it('the main entry loads neither the simulator nor a test aid', () => {
    for (const entry of ['../src/index.js', '../src/index.d.ts']) {
      const graph = importGraph(new URL(entry, import.meta.url))
      expect([...graph.workspace].filter(s => /^@clusterfunk\/sim\b|\/sim$|\/testing$/.test(s)), entry).to.deep.equal([])
      expect([...graph.files].filter(f => /\/packages\/sim\//.test(f)), entry).to.deep.equal([])
    }
  })
})
