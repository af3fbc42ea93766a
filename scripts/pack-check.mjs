#!/usr/bin/env node
// What `npm pack` would ship for each published package, checked: README.md,
// LICENSE, CHANGELOG.md and package.json are in; no test, benchmark or build
// bookkeeping file is; every source map's sources ship beside it; no compiled
// file is left over from a source that is gone; every `exports` and `bin`
// target ships. Run after `npm run build` (the maps and outputs are read from dist/).
// Usage: node scripts/pack-check.mjs   (exit 1 with one line per problem)
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { publishedPackages } from './package-hygiene.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const REQUIRED = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']
const NOT_SHIPPED = [/(^|\/)test\//, /(^|\/)bench\//, /\.(test|spec)\.[cm]?[jt]s(\.map)?$/, /\.tsbuildinfo$/, /(^|\/)tsconfig(\.[\w-]+)?\.json$/, /(^|\/)\.[^/]+$/]

function targets (entry) {
  if (typeof entry === 'string') return [entry]
  if (typeof entry !== 'object' || entry === null) return []
  return Object.values(entry).flatMap(targets)
}

/**
 * The problems of one package's file list (paths relative to the package,
 * `/`-separated); `read(file)` returns a shipped file's text.
 */
export function packProblems (pkg, files, read) {
  const found = []
  const shipped = new Set(files)
  for (const file of REQUIRED) if (!shipped.has(file)) found.push(`${file} is not shipped`)
  for (const file of files) {
    if (NOT_SHIPPED.some(re => re.test(file))) found.push(`${file} should not ship`)
    if (file.endsWith('.map')) {
      let map
      try {
        map = JSON.parse(read(file))
      } catch {
        found.push(`${file} is not a source map`)
        continue
      }
      for (const source of map.sources ?? []) {
        const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), map.sourceRoot ?? '', source))
        if (!shipped.has(resolved)) found.push(`${file} points at ${resolved}, which does not ship`)
      }
    }
    const compiled = /^dist\/(src\/.*)\.(js|d\.ts)$/.exec(file)
    if (compiled !== null && !shipped.has(`${compiled[1]}.ts`)) found.push(`${file} has no source (${compiled[1]}.ts): left over from a removed file? rebuild from clean`)
  }
  const entryPoints = [...targets(pkg.exports), ...targets(pkg.bin), ...(typeof pkg.main === 'string' ? [pkg.main] : [])]
  for (const target of entryPoints) {
    const file = path.posix.normalize(target)
    if (!shipped.has(file)) found.push(`${target} (exports, bin or main) does not ship`)
  }
  return found
}

/** `npm pack --dry-run` over every published package; returns `{ name, problems }` per package. */
export async function packCheck (root = ROOT) {
  const dirs = publishedPackages(root)
  const args = ['pack', '--dry-run', '--json', '--ignore-scripts', ...dirs.map(dir => `--workspace=${path.relative(root, dir)}`)]
  const { stdout } = await promisify(execFile)('npm', args, { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 })
  const packs = JSON.parse(stdout)
  const byName = new Map(dirs.map(dir => [JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name, dir]))
  return packs.map(packed => {
    const dir = byName.get(packed.name)
    if (dir === undefined) return { name: packed.name, problems: ['npm packed a package that is not published'] }
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))
    return { name: packed.name, files: packed.files.length, problems: packProblems(pkg, packed.files.map(f => f.path), file => readFileSync(path.join(dir, file), 'utf8')) }
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await packCheck()
  let bad = 0
  for (const { name, files, problems } of results) {
    for (const line of problems) console.error(`pack-check: ${name}: ${line}`)
    if (problems.length === 0) console.log(`pack-check: ${name}: ${files} files, fine`)
    bad += problems.length
  }
  process.exitCode = bad === 0 ? 0 : 1
}
