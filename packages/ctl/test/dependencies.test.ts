import { expect } from 'chai'
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const CTL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Packages funkctl must never install: a native module, the node runtime, its metrics and its zeroconf publisher. */
const FORBIDDEN = ['classic-level', 'bonjour-service', 'prom-client', '@clusterfunk/raft', '@clusterfunk/cluster', '@clusterfunk/swim', '@clusterfunk/liveness']

interface Manifest { name: string, dependencies?: Record<string, string>, optionalDependencies?: Record<string, string>, peerDependencies?: Record<string, string> }

/** The directory of package `name` as Node would resolve it from `fromDir` (walking up node_modules). */
function resolvePackage (name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name, 'package.json')
    if (existsSync(candidate)) return realpathSync(path.dirname(candidate))
    if (path.dirname(dir) === dir) return undefined
  }
}

/** Every package installed with `dir`'s package for production (dependencies, optional and peer, transitively), by name, with the path that pulls it in. */
function productionTree (dir: string): Map<string, string[]> {
  const seen = new Map<string, string[]>()
  const visit = (pkgDir: string, trail: string[]): void => {
    const manifest = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as Manifest
    const deps = { ...manifest.dependencies, ...manifest.optionalDependencies, ...manifest.peerDependencies }
    for (const name of Object.keys(deps)) {
      if (seen.has(name)) continue
      const at = resolvePackage(name, pkgDir)
      seen.set(name, [...trail, name])
      if (at !== undefined) visit(at, [...trail, name])
    }
  }
  visit(dir, ['@clusterfunk/ctl'])
  return seen
}

describe('what installing funkctl installs', () => {
  const tree = productionTree(CTL_DIR)

  it('is management, core and commander, no node runtime', () => {
    const own = [...tree.keys()].filter(n => n.startsWith('@clusterfunk/')).sort()
    expect(own).to.include.members(['@clusterfunk/core', '@clusterfunk/management'])
    expect(tree.has('commander')).to.equal(true)
    expect(tree.has('@grpc/grpc-js')).to.equal(true)
  })

  for (const name of FORBIDDEN) {
    it(`holds no ${name}`, () => {
      expect(tree.get(name), `pulled in by ${tree.get(name)?.join(' → ') ?? ''}`).to.equal(undefined)
    })
  }
})
