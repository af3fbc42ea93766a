import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const NAME = '@clusterfunk/cluster'
let found: { root: string | undefined, version: string } | undefined

/**
 * This package's folder and version, read once from its package.json.
 * Found two ways: beside this module (`dist/src/` in the package), or — when
 * a service bundled this module into its own one file — through the
 * installed package, by name. `root` is undefined when neither is there.
 */
export function packageRoot (): { root: string | undefined, version: string } {
  if (found !== undefined) return found
  const candidates: Array<() => string> = [
    () => fileURLToPath(new URL('../../', import.meta.url)),
    () => path.dirname(createRequire(import.meta.url).resolve(`${NAME}/package.json`))
  ]
  found = { root: undefined, version: '' }
  for (const candidate of candidates) {
    try {
      const root = candidate()
      const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name?: unknown, version?: unknown }
      if (pkg.name !== NAME) continue
      found = { root, version: typeof pkg.version === 'string' ? pkg.version : '' }
      break
    } catch { /* not here: try the next */ }
  }
  return found
}
