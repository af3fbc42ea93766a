#!/usr/bin/env node
// lerna version moves the internal dependencies and devDependencies to the
// new version but leaves peerDependencies alone, so a release would ship
// @clusterfunk/cluster asking for the previous @clusterfunk/sim. lerna runs
// this as the root `version` script, after it rewrote the package.json files
// and before it refreshes the lockfile and commits: every peer range on a
// workspace package is set to that package's version, keeping its prefix
// (exact, ^ or ~).
// Usage: node scripts/release-peers.mjs   (prints what it moved)
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function readJson (file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

function manifests (root) {
  const files = []
  for (const pattern of readJson(path.join(root, 'package.json')).workspaces) {
    const dirs = pattern.endsWith('/*')
      ? readdirSync(path.join(root, pattern.slice(0, -2))).sort().map(name => path.join(root, pattern.slice(0, -2), name))
      : [path.join(root, pattern)]
    for (const dir of dirs) if (existsSync(path.join(dir, 'package.json'))) files.push(path.join(dir, 'package.json'))
  }
  return files
}

/** Moves the internal peer ranges; returns one line per range moved. */
export function syncPeers (root = ROOT) {
  const files = manifests(root)
  const versions = new Map(files.map(file => { const pkg = readJson(file); return [pkg.name, pkg.version] }))
  const moved = []
  for (const file of files) {
    const pkg = readJson(file)
    let changed = false
    for (const [dep, range] of Object.entries(pkg.peerDependencies ?? {})) {
      const version = versions.get(dep)
      if (version === undefined) continue
      const prefix = /^[\^~]?/.exec(range)[0]
      const want = `${prefix}${version}`
      if (range === want) continue
      pkg.peerDependencies[dep] = want
      moved.push(`${pkg.name}: peer ${dep} ${range} -> ${want}`)
      changed = true
    }
    if (changed) writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n')
  }
  return moved
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const line of syncPeers()) console.log(`release-peers: ${line}`)
}
