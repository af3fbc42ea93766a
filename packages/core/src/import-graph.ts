import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The files an entry point loads, and the packages outside the workspace it names. */
export interface ImportGraph {
  /** Absolute paths of every workspace file reached, the entry included. */
  files: Set<string>
  /** The `@clusterfunk/*` specifiers reached (followed), e.g. `@clusterfunk/core/testing`. */
  workspace: Set<string>
  /** Bare specifiers reached that were not followed (node: builtins and third-party packages). */
  external: Set<string>
}

// Static imports, re-exports and literal dynamic imports of compiled ESM. Type-only imports
// are gone from the JavaScript tsc emits, so what is left is what Node loads.
const SPECIFIER = /(?:^|[\s;}])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;}])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm

/**
 * Walks the import graph of a compiled entry point without running it: relative
 * imports and `@clusterfunk/*` packages (through their `exports` maps) are followed,
 * everything else is recorded in `external`. Tests use it to prove a main entry never
 * loads a module (the simulator, a test aid) it must not. Given a `.d.ts` entry it walks
 * the declarations instead (type-only imports included, through the `types` exports):
 * what a TypeScript user's compiler reads.
 */
export function importGraph (entry: string | URL): ImportGraph {
  const start = realpathSync(typeof entry === 'string' ? resolve(entry) : fileURLToPath(entry))
  const files = new Set<string>()
  const workspace = new Set<string>()
  const external = new Set<string>()
  const declarations = start.endsWith('.d.ts')
  const pending = [start]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue
    files.add(file)
    const source = readFileSync(file, 'utf8')
    for (const match of source.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? match[3]
      if (specifier === undefined) continue
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier)
        pending.push(declarations ? target.replace(/\.js$/, '.d.ts') : target)
      } else if (specifier.startsWith('@clusterfunk/')) {
        workspace.add(specifier)
        pending.push(resolvePackage(specifier, dirname(file), declarations ? 'types' : 'code'))
      } else {
        external.add(specifier)
      }
    }
  }
  return { files, workspace, external }
}

/** Resolves `@clusterfunk/name[/subpath]` from a directory as Node (or tsc) would, by the package's exports. */
function resolvePackage (specifier: string, from: string, want: 'code' | 'types'): string {
  const [scope, name, ...rest] = specifier.split('/')
  const subpath = rest.length === 0 ? '.' : `./${rest.join('/')}`
  for (let dir = from; ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', `${scope}/${name}`)
    const manifest = join(root, 'package.json')
    if (existsSync(manifest)) {
      const json = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, { import?: string, default?: string, types?: string }> }
      const entry = json.exports?.[subpath]
      // What an ES module import loads: the `import` condition, else `default`.
      const target = want === 'types' ? entry?.types : entry?.import ?? entry?.default
      if (target === undefined) throw new Error(`${specifier} is not exported by ${manifest}`)
      return realpathSync(resolve(root, target))
    }
    if (dirname(dir) === dir) throw new Error(`cannot resolve ${specifier} from ${from}`)
  }
}
