#!/usr/bin/env node
// Checks the message of every commit after the baseline named in
// .commitlint-baseline against commitlint.config.js (Conventional Commits with
// the project's scopes). The baseline and the commits before it are exempt, and
// so are merge commits (their message is the merge's; each commit they bring
// in is checked on its own). Needs the history back to the baseline: a shallow
// clone is refused with the command that deepens it.
// Usage: node scripts/commit-check.mjs [--repo <dir>] [--to <rev>]   (exit 1 on a bad message)
import format from '@commitlint/format'
import lint from '@commitlint/lint'
import load from '@commitlint/load'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// A bound on the messages read at once: far above one release's commits.
const MAX_COMMITS = 100_000

class CheckError extends Error {
  constructor (message) {
    super(message)
    this.name = 'CommitCheckError'
  }
}

function git (repo, args) {
  const res = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8' })
  return { ok: res.status === 0, out: (res.stdout ?? '').trim(), err: (res.stderr ?? '').trim() }
}

/** The baseline commit: the one line of .commitlint-baseline that is not a comment. */
export function readBaseline (repo = ROOT) {
  const file = path.join(repo, '.commitlint-baseline')
  let text
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw new CheckError(`${file} is missing: it names the last commit exempt from the check`)
  }
  const lines = text.split('\n').map(l => l.trim()).filter(l => l !== '' && !l.startsWith('#'))
  if (lines.length !== 1 || !/^[0-9a-f]{40}$/.test(lines[0])) {
    throw new CheckError(`${file} must hold exactly one full commit id (40 hex digits) besides # comments`)
  }
  return lines[0]
}

function parseArgs (argv) {
  const opts = { repo: ROOT, to: 'HEAD' }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    if ((flag === '--repo' || flag === '--to') && value !== undefined && !value.startsWith('--')) {
      opts[flag.slice(2)] = flag === '--repo' ? path.resolve(value) : value
      i++
    } else {
      throw new CheckError(`unknown argument ${flag}; usage: node scripts/commit-check.mjs [--repo <dir>] [--to <rev>]`)
    }
  }
  return opts
}

/** The messages of the commits after the baseline up to `to`, oldest first, without merges. */
function commitsAfterBaseline (repo, to) {
  const baseline = readBaseline(repo)
  if (!git(repo, ['rev-parse', '--verify', '--quiet', `${baseline}^{commit}`]).ok) {
    if (git(repo, ['rev-parse', '--is-shallow-repository']).out === 'true') {
      throw new CheckError(`this clone is shallow and lacks the baseline ${baseline}: run git fetch --unshallow, then check again`)
    }
    throw new CheckError(`the baseline ${baseline} is not in this repository's history`)
  }
  const tip = git(repo, ['rev-parse', '--verify', '--quiet', `${to}^{commit}`])
  if (!tip.ok) throw new CheckError(`${to} is not a commit`)
  if (!git(repo, ['merge-base', '--is-ancestor', baseline, tip.out]).ok) {
    throw new CheckError(`the baseline ${baseline} is not an ancestor of ${to}`)
  }
  const list = git(repo, ['rev-list', '--reverse', '--no-merges', `--max-count=${MAX_COMMITS}`, `${baseline}..${tip.out}`])
  if (!list.ok) throw new CheckError(`git rev-list failed: ${list.err}`)
  const ids = list.out === '' ? [] : list.out.split('\n')
  return {
    baseline,
    commits: ids.map(id => {
      const msg = git(repo, ['log', '-1', '--format=%B', id])
      if (!msg.ok) throw new CheckError(`cannot read the message of ${id}: ${msg.err}`)
      return { id, message: msg.out }
    })
  }
}

async function check ({ repo, to }) {
  const { baseline, commits } = commitsAfterBaseline(repo, to)
  const config = await load({}, { file: path.join(ROOT, 'commitlint.config.js'), cwd: ROOT })
  const opts = {
    parserOpts: config.parserPreset?.parserOpts ?? {},
    plugins: config.plugins ?? {},
    ignores: config.ignores ?? [],
    defaultIgnores: config.defaultIgnores !== false
  }
  const bad = []
  for (const { id, message } of commits) {
    const result = await lint(message, config.rules, opts)
    if (!result.valid) bad.push({ id, result })
  }
  for (const { id, result } of bad) {
    console.error(`commit ${id.slice(0, 12)}:`)
    console.error(format({ results: [result] }, { color: false, helpUrl: config.helpUrl }))
  }
  const since = `after the baseline ${baseline.slice(0, 12)}`
  if (bad.length > 0) {
    console.error(`commit-check: ${bad.length} of ${commits.length} commits ${since} do not follow Conventional Commits (types and scopes: commitlint.config.js)`)
    return 1
  }
  const n = commits.length
  console.log(`commit-check: ${n} commit${n === 1 ? '' : 's'} ${since} follow${n === 1 ? 's' : ''} Conventional Commits`)
  return 0
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await check(parseArgs(process.argv.slice(2)))
  } catch (err) {
    if (!(err instanceof CheckError)) throw err
    console.error(`commit-check: ${err.message}`)
    process.exitCode = 1
  }
}
