#!/usr/bin/env node
// What every published package must carry, checked (default) or written (--fix):
// a LICENSE file, the license and engines of the root, public publishConfig,
// its sources beside the source maps that point at them, its CHANGELOG.md
// (npm packs it only when `files` names it), a description and keywords, and an exports map
// whose every entry has types and a `default` condition (ES modules; Node
// ≥ 20.19 loads them from CommonJS with require()).
// Usage: node scripts/package-hygiene.mjs [--fix]
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function readJson (file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** The folders of every workspace package that is published (not private). */
export function publishedPackages (root = ROOT) {
  const rootPkg = readJson(path.join(root, 'package.json'))
  const dirs = []
  for (const pattern of rootPkg.workspaces) {
    if (pattern.endsWith('/*')) {
      const base = path.join(root, pattern.slice(0, -2))
      for (const name of readdirSync(base).sort()) dirs.push(path.join(base, name))
    } else {
      dirs.push(path.join(root, pattern))
    }
  }
  return dirs.filter(dir => existsSync(path.join(dir, 'package.json')) && readJson(path.join(dir, 'package.json')).private !== true)
}

/** The package.json a published package should have, given what it has. */
export function hygienic (pkg, rootPkg) {
  const out = { ...pkg }
  out.license = rootPkg.license
  out.engines = { ...rootPkg.engines }
  out.publishConfig = { access: 'public' }
  const files = new Set(out.files ?? [])
  if ([...files].some(f => f.startsWith('dist'))) files.add('src')
  files.add('CHANGELOG.md')
  out.files = [...files]
  if (out.exports !== undefined) {
    const exports = {}
    for (const [subpath, entry] of Object.entries(out.exports)) {
      if (typeof entry !== 'object' || entry === null) { exports[subpath] = entry; continue }
      const { types, import: imp, default: def, ...rest } = entry
      exports[subpath] = { types, ...rest, default: def ?? imp }
    }
    out.exports = exports
  }
  return out
}

/** Every way the published packages fall short, as readable lines. */
export function problems (root = ROOT) {
  const rootPkg = readJson(path.join(root, 'package.json'))
  const found = []
  if (!existsSync(path.join(root, 'LICENSE'))) found.push('LICENSE: missing at the root')
  for (const dir of publishedPackages(root)) {
    const rel = path.relative(root, dir)
    const pkg = readJson(path.join(dir, 'package.json'))
    if (!existsSync(path.join(dir, 'LICENSE'))) found.push(`${rel}: no LICENSE file`)
    const want = hygienic(pkg, rootPkg)
    for (const key of ['license', 'engines', 'publishConfig', 'files', 'exports']) {
      if (JSON.stringify(pkg[key]) !== JSON.stringify(want[key])) found.push(`${rel}: package.json "${key}" should be ${JSON.stringify(want[key])}`)
    }
    if (typeof pkg.description !== 'string' || pkg.description.length < 10) found.push(`${rel}: package.json has no description`)
    if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0 || !pkg.keywords.every(k => typeof k === 'string' && k !== '')) found.push(`${rel}: package.json has no keywords`)
    if (!existsSync(path.join(dir, 'README.md'))) found.push(`${rel}: no README.md`)
    if (!existsSync(path.join(dir, 'CHANGELOG.md'))) found.push(`${rel}: no CHANGELOG.md`)
  }
  return found
}

function fix (root = ROOT) {
  const rootPkg = readJson(path.join(root, 'package.json'))
  for (const dir of publishedPackages(root)) {
    const file = path.join(dir, 'package.json')
    const pkg = readJson(file)
    writeFileSync(file, JSON.stringify(hygienic(pkg, rootPkg), null, 2) + '\n')
    copyFileSync(path.join(root, 'LICENSE'), path.join(dir, 'LICENSE'))
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--fix')) fix()
  const left = problems()
  for (const line of left) console.error(line)
  process.exitCode = left.length === 0 ? 0 : 1
}
