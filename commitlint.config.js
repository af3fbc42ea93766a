// Commit messages follow Conventional Commits (https://www.conventionalcommits.org):
// `type(scope): subject`. lerna builds every CHANGELOG.md from them.
// scripts/commit-check.mjs checks every commit after the one named in
// .commitlint-baseline; CI runs it.
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import conventional from '@commitlint/config-conventional'

const ROOT = path.dirname(fileURLToPath(import.meta.url))

/** Scopes that name no package: CI, documentation, dependencies, the release itself. */
export const EXTRA_SCOPES = ['ci', 'docs', 'deps', 'release']

/**
 * Every workspace package, by its name without `@clusterfunk/` (`raft`,
 * `example-kv`) and by its folder (`kv`), so scopes stay in step with the
 * packages as they come and go.
 */
export function packageScopes (root = ROOT) {
  const { workspaces } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
  const dirs = []
  for (const pattern of workspaces) {
    if (pattern.endsWith('/*')) {
      const base = path.join(root, pattern.slice(0, -2))
      for (const name of readdirSync(base)) dirs.push(path.join(base, name))
    } else {
      dirs.push(path.join(root, pattern))
    }
  }
  const scopes = new Set()
  for (const dir of dirs) {
    const manifest = path.join(dir, 'package.json')
    if (!existsSync(manifest)) continue
    const { name } = JSON.parse(readFileSync(manifest, 'utf8'))
    scopes.add(name.replace(/^@clusterfunk\//, ''))
    scopes.add(path.basename(dir))
  }
  return [...scopes].sort()
}

/**
 * lerna's changelog preset (angular) reads a breaking change from a
 * `BREAKING CHANGE:` footer and cannot parse a `type(scope)!:` header: such a
 * commit would be left out of the changelog. So a breaking change is marked
 * with the footer only.
 */
function breakingChangeFooter ({ header }) {
  return [!/^[\w-]+(\([^)]*\))?!:/.test(header ?? ''), 'mark a breaking change with a "BREAKING CHANGE: ..." footer, not with ! in the header (the changelog reads the footer)']
}

export default {
  ...conventional,
  plugins: [{ rules: { 'breaking-change-footer': breakingChangeFooter } }],
  rules: {
    ...conventional.rules,
    'breaking-change-footer': [2, 'always'],
    'scope-enum': [2, 'always', [...packageScopes(), ...EXTRA_SCOPES]],
    // Subjects name Raft, Redis, SWIM, Prometheus: a capital first letter is no defect.
    'subject-case': [0],
    // Bodies are prose paragraphs; the changelog shows only the header, which keeps its 100-character bound.
    'body-max-line-length': [0],
    'footer-max-line-length': [0]
  }
}
