import { expect } from 'chai'
import { fileURLToPath } from 'node:url'

interface PackCheck {
  packProblems: (pkg: object, files: string[], read: (file: string) => string) => string[]
  packCheck: () => Promise<Array<{ name: string, files?: number, problems: string[] }>>
}

const load = async (): Promise<PackCheck> => await import(fileURLToPath(new URL('../../scripts/pack-check.mjs', import.meta.url))) as PackCheck

describe('what npm pack ships (scripts/pack-check.mjs)', () => {
  it('finds a missing CHANGELOG, a shipped test, a map without its source, a leftover output and a missing export', async () => {
    const { packProblems } = await load()
    const maps: Record<string, string> = {
      'dist/src/a.js.map': JSON.stringify({ version: 3, sources: ['../../src/a.ts'] }),
      'dist/src/b.js.map': JSON.stringify({ version: 3, sources: ['../../src/b.ts'] })
    }
    const files = ['package.json', 'README.md', 'LICENSE', 'src/a.ts', 'dist/src/a.js', 'dist/src/a.js.map',
      'dist/src/b.js', 'dist/src/b.js.map', 'dist/test/a.test.js', 'tsconfig.tsbuildinfo']
    const pkg = { exports: { '.': { types: './dist/src/a.d.ts', default: './dist/src/a.js' } }, bin: { tool: './dist/src/bin/tool.js' } }
    expect(packProblems(pkg, files, f => maps[f] ?? '')).to.deep.equal([
      'CHANGELOG.md is not shipped',
      'dist/src/b.js has no source (src/b.ts): left over from a removed file? rebuild from clean',
      'dist/src/b.js.map points at src/b.ts, which does not ship',
      'dist/test/a.test.js should not ship',
      'tsconfig.tsbuildinfo should not ship',
      './dist/src/a.d.ts (exports, bin or main) does not ship',
      './dist/src/bin/tool.js (exports, bin or main) does not ship'
    ])
  })

  it('every published package ships its README, LICENSE, CHANGELOG, sources beside its maps, and no tests', async () => {
    const results = await (await load()).packCheck()
    expect(results.length).to.be.greaterThan(8)
    expect(results.filter(r => r.problems.length > 0)).to.deep.equal([])
  })
})
