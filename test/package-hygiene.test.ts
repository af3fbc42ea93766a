import { expect } from 'chai'
import { fileURLToPath } from 'node:url'

interface Hygiene {
  problems: (root?: string) => string[]
  publishedPackages: (root?: string) => string[]
}

const SCRIPT = new URL('../../scripts/package-hygiene.mjs', import.meta.url)

describe('published packages', () => {
  it('each carries a LICENSE, a CHANGELOG, the license and engines, public publishConfig, a description and keywords, its sources beside the maps, and exports with types and default', async () => {
    const hygiene = await import(fileURLToPath(SCRIPT)) as Hygiene
    expect(hygiene.publishedPackages().length).to.be.greaterThan(8)
    expect(hygiene.problems(), 'node scripts/package-hygiene.mjs --fix writes them').to.deep.equal([])
  })
})
