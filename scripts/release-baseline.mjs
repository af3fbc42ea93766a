#!/usr/bin/env node
// Tags the baseline commit (.commitlint-baseline) with the version it holds
// (v0.1.0), as an annotated tag, when the tag is missing. lerna starts its
// changelogs and its "changed since" at the last such tag, so the first
// release's entries come from the conventional commits after the baseline
// alone. A clone has no tags that were only made locally, so the release and
// its check run this first; it is a no-op when the tag is already there and
// refuses when a tag of that name points elsewhere.
// Usage: node scripts/release-baseline.mjs [--repo <dir>]   (needs git user.name and user.email)
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readBaseline } from './commit-check.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function git (repo, args) {
  const res = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8' })
  return { ok: res.status === 0, out: (res.stdout ?? '').trim(), err: (res.stderr ?? '').trim() }
}

/** Creates the tag when missing; returns its name. Throws an Error with the reason otherwise. */
export function tagBaseline (repo = ROOT) {
  const baseline = readBaseline(repo)
  const lerna = git(repo, ['show', `${baseline}:lerna.json`])
  if (!lerna.ok) throw new Error(`cannot read lerna.json at the baseline ${baseline}: ${lerna.err}`)
  const { version } = JSON.parse(lerna.out)
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`lerna.json at the baseline holds no plain version: ${version}`)
  const tag = `v${version}`
  const existing = git(repo, ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`])
  if (existing.ok) {
    if (existing.out !== baseline) throw new Error(`the tag ${tag} points at ${existing.out}, not at the baseline ${baseline}`)
    return tag
  }
  const made = git(repo, ['tag', '--annotate', '--message', `${tag}: the last release before Conventional Commits`, tag, baseline])
  if (!made.ok) throw new Error(`git tag ${tag} failed: ${made.err}`)
  return tag
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const repo = args[0] === '--repo' && args[1] !== undefined ? path.resolve(args[1]) : ROOT
  if (args.length > 0 && !(args[0] === '--repo' && args.length === 2)) {
    console.error('usage: node scripts/release-baseline.mjs [--repo <dir>]')
    process.exitCode = 1
  } else {
    try {
      console.log(`release-baseline: ${tagBaseline(repo)} marks the baseline`)
    } catch (err) {
      console.error(`release-baseline: ${err.message}`)
      process.exitCode = 1
    }
  }
}
