#!/usr/bin/env node
// An offline rehearsal of `lerna version` in a temporary clone of the
// committed tree (the real checkout is never written): tags the baseline,
// shows that lerna refuses while the packages name no repository, names one
// under the reserved example.invalid domain, adds one probe commit
// `fix(sharding): ...` with a BREAKING CHANGE footer, then runs
//   lerna version <next> --conventional-commits --no-git-tag-version --no-push --yes
// and checks that every package and lerna.json are at <next>, that every
// internal dependency range and the lockfile moved with them, and that the
// CHANGELOG.md files hold exactly the feat/fix/perf and breaking commits
// after the baseline (the probe in sharding's and the root's, not in raft's,
// its footer under BREAKING CHANGES) above the
// entries already there. Nothing is pushed, tagged or published; the only
// network use is npm refreshing package-lock.json from the registry.
// Usage: node scripts/release-check.mjs [--bump patch|minor|major] [--keep]   (exit 1 on a failed check;
//        --keep leaves the clone to look at and prints where)
import { execFile } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { readBaseline } from './commit-check.mjs'
import { publishedPackages } from './package-hygiene.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const exec = promisify(execFile)
const REPOSITORY = 'https://example.invalid/clusterfunk/clusterfunk-ts'
const PROBE = 'fix(sharding): release-check probe, a change to the sharding package only'
const PROBE_NOTE = 'BREAKING CHANGE: the release-check probe breaks nothing, it shows where a breaking change is listed'
// The types the changelog preset (lerna's default, angular) lists; the others are left out.
const LISTED_TYPES = new Set(['feat', 'fix', 'perf', 'revert'])
const STEP_TIMEOUT_MS = 120_000
const MAX_OUTPUT = 16 * 1024 * 1024

class ReleaseCheckError extends Error {
  constructor (message) {
    super(message)
    this.name = 'ReleaseCheckError'
  }
}

function say (line) {
  console.log(`[release-check] ${line}`)
}

async function run (cwd, file, args, env = {}) {
  try {
    const { stdout } = await exec(file, args, { cwd, env: { ...process.env, ...env }, timeout: STEP_TIMEOUT_MS, maxBuffer: MAX_OUTPUT })
    return stdout.trim()
  } catch (err) {
    const out = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim()
    throw Object.assign(new ReleaseCheckError(`${file} ${args.join(' ')} failed (exit ${err.code}):\n${out}`), { output: out })
  }
}

const git = (cwd, ...args) => run(cwd, 'git', args)

function readJson (file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

export function nextVersion (version, bump) {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version)
  if (m === null) throw new ReleaseCheckError(`lerna.json holds no plain version: ${version}`)
  const [major, minor, patch] = m.slice(1).map(Number)
  if (bump === 'major') return `${major + 1}.0.0`
  if (bump === 'minor') return `${major}.${minor + 1}.0`
  if (bump === 'patch') return `${major}.${minor}.${patch + 1}`
  throw new ReleaseCheckError(`--bump must be patch, minor or major, not ${bump}`)
}

/**
 * The non-merge commits after `from` the changelog lists: those of a listed
 * type, and any with a BREAKING CHANGE footer (listed once more under
 * BREAKING CHANGES), as `{ subject, breaking }`.
 */
async function listedCommits (repo, from) {
  const log = await git(repo, 'log', '--no-merges', '--format=%B%x1e', `${from}..HEAD`)
  const found = []
  for (const message of log.split('\x1e').map(m => m.trim()).filter(m => m !== '')) {
    const header = message.split('\n')[0]
    const m = /^(\w+)(?:\(([^)]*)\))?: (.+)$/.exec(header)
    const breaking = /^BREAKING[ -]CHANGE:/m.test(message)
    if (m !== null && (LISTED_TYPES.has(m[1]) || breaking)) found.push({ subject: m[3], breaking })
    // git's own revert message: the changelog lists it under Reverts by its header.
    else if (m === null && /^Revert "/.test(header) && /This reverts commit \w+\./.test(message)) found.push({ subject: header, breaking: false })
  }
  return found
}

/** Every workspace folder lerna versions (private ones included). */
function workspaceDirs (root) {
  const dirs = []
  for (const pattern of readJson(path.join(root, 'package.json')).workspaces) {
    if (!pattern.endsWith('/*')) { dirs.push(path.join(root, pattern)); continue }
    const base = path.join(root, pattern.slice(0, -2))
    for (const name of readdirSync(base).sort()) dirs.push(path.join(base, name))
  }
  return dirs.filter(dir => existsSync(path.join(dir, 'package.json')))
}

function checkVersions (repo, next, problems) {
  if (readJson(path.join(repo, 'lerna.json')).version !== next) problems.push(`lerna.json is not at ${next}`)
  const names = new Set()
  const manifests = workspaceDirs(repo).map(dir => ({ dir, pkg: readJson(path.join(dir, 'package.json')) }))
  for (const { pkg } of manifests) names.add(pkg.name)
  let ranges = 0
  for (const { dir, pkg } of manifests) {
    const rel = path.relative(repo, dir)
    if (pkg.version !== next) problems.push(`${rel}: version ${pkg.version}, not ${next}`)
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [dep, range] of Object.entries(pkg[field] ?? {})) {
        if (!names.has(dep)) continue
        ranges++
        if (range !== next) problems.push(`${rel}: ${field} ${dep} is "${range}", not exactly ${next} (lerna.json: exact)`)
      }
    }
  }
  const lock = readJson(path.join(repo, 'package-lock.json'))
  for (const { dir, pkg } of manifests) {
    const rel = path.relative(repo, dir).split(path.sep).join('/')
    const entry = lock.packages?.[rel]
    if (entry === undefined) { problems.push(`package-lock.json has no entry for ${rel}`); continue }
    if (entry.version !== next) problems.push(`package-lock.json: ${rel} at ${entry.version}, not ${next}`)
    for (const field of ['dependencies', 'peerDependencies']) {
      for (const [dep, range] of Object.entries(entry[field] ?? {})) {
        if (names.has(dep) && range !== pkg[field]?.[dep]) problems.push(`package-lock.json: ${rel} ${field} ${dep} is "${range}", package.json says "${pkg[field]?.[dep]}"`)
      }
    }
  }
  return { packages: manifests.length, ranges }
}

/** The entry lerna added on top of a CHANGELOG.md: from its heading to the next release heading. */
function newestEntry (text, next) {
  const start = text.search(new RegExp(`^#{1,2} \\[?${next.replaceAll('.', '\\.')}\\]?`, 'm'))
  if (start < 0) return undefined
  const bodyStart = text.indexOf('\n', start) + 1
  const after = text.slice(bodyStart).search(/^#{1,2} \[?\d+\.\d+\.\d+/m)
  return after < 0 ? text.slice(start) : text.slice(start, bodyStart + after)
}

function checkChangelogs (repo, next, expected, problems) {
  const files = [repo, ...publishedPackages(repo)].map(dir => path.join(dir, 'CHANGELOG.md'))
  const entries = new Map()
  for (const file of files) {
    const rel = path.relative(repo, file)
    if (!existsSync(file)) { problems.push(`${rel} was not written`); continue }
    const text = readFileSync(file, 'utf8')
    const entry = newestEntry(text, next)
    if (entry === undefined) { problems.push(`${rel} has no entry for ${next}`); continue }
    if (!/^#{1,2} \[?0\.1\.0\]?/m.test(text.slice(text.indexOf(entry) + entry.length))) problems.push(`${rel} lost the 0.1.0 entry below the new one`)
    entries.set(rel, entry)
  }
  const root = entries.get('CHANGELOG.md')
  if (root !== undefined) {
    const bullets = root.split('\n').filter(l => l.startsWith('* '))
    for (const link of root.matchAll(/\]\(([^)]+)\)/g)) {
      if (!link[1].startsWith(`${REPOSITORY}/`)) problems.push(`CHANGELOG.md links to ${link[1]}, not into ${REPOSITORY}`)
    }
    for (const { subject } of expected) {
      if (!bullets.some(b => b.includes(subject))) problems.push(`CHANGELOG.md lacks "${subject}"`)
    }
    const items = expected.length + expected.filter(c => c.breaking).length
    if (bullets.length !== items) problems.push(`CHANGELOG.md's ${next} entry has ${bullets.length} items, the commits after the baseline ${items}:\n${bullets.join('\n')}`)
    if (!root.includes('### BREAKING CHANGES') || !root.includes(PROBE_NOTE.replace(/^BREAKING CHANGE: /, ''))) problems.push('CHANGELOG.md does not list the probe\'s breaking change')
  }
  const probe = PROBE.replace(/^[^:]+: /, '')
  if (!(entries.get(path.join('packages', 'sharding', 'CHANGELOG.md')) ?? '').includes(probe)) problems.push('packages/sharding/CHANGELOG.md lacks the probe commit')
  if ((entries.get(path.join('packages', 'raft', 'CHANGELOG.md')) ?? '').includes(probe)) problems.push('packages/raft/CHANGELOG.md lists the probe commit, which touched sharding only')
  return entries.size
}

/**
 * The clone runs lerna and the changelog preset from the checkout's
 * node_modules, linked entry by entry into a folder of its own: npm writes its
 * hidden lockfile (node_modules/.package-lock.json) there, not into the
 * checkout's, and the workspace links (@clusterfunk/*) are left out, as they
 * would point at the checkout's packages.
 */
function linkNodeModules (repo) {
  const source = path.join(ROOT, 'node_modules')
  const target = path.join(repo, 'node_modules')
  mkdirSync(target)
  for (const name of readdirSync(source)) {
    if (name === '.package-lock.json' || name === '@clusterfunk') continue
    symlinkSync(path.join(source, name), path.join(target, name))
  }
}

/** What must not change in the checkout: git's view of it and npm's hidden lockfile. */
async function checkoutState () {
  const hidden = path.join(ROOT, 'node_modules', '.package-lock.json')
  return JSON.stringify({ status: await git(ROOT, 'status', '--porcelain'), hidden: existsSync(hidden) ? statSync(hidden).mtimeMs : 0 })
}

async function releaseCheck (bump, keep) {
  const started = Date.now()
  const before = await checkoutState()
  const work = await mkdtemp(path.join(tmpdir(), 'clusterfunk-release-'))
  const repo = path.join(work, 'repo')
  try {
    await git(work, 'clone', '--quiet', ROOT, repo)
    await git(repo, 'checkout', '--quiet', '-B', 'release-check')
    // A release runs where origin is the project's host; the changelog's links come from it.
    await git(repo, 'remote', 'set-url', 'origin', `${REPOSITORY}.git`)
    await git(repo, 'config', 'user.name', 'release check')
    await git(repo, 'config', 'user.email', 'release-check@127.0.0.1')
    linkNodeModules(repo)
    const baseline = readBaseline(repo)
    const tag = await run(repo, process.execPath, ['scripts/release-baseline.mjs'])
    say(`clone of ${(await git(repo, 'rev-parse', '--short', 'HEAD'))} in ${repo}; ${tag.replace(/^release-baseline: /, '')}`)

    const current = readJson(path.join(repo, 'lerna.json')).version
    const next = nextVersion(current, bump)
    const lernaArgs = ['lerna', 'version', next, '--conventional-commits', '--no-git-tag-version', '--no-push', '--yes', '--loglevel', 'warn']
    const refused = await run(repo, 'npx', ['--no-install', ...lernaArgs]).then(() => undefined, err => err)
    if (refused === undefined) throw new ReleaseCheckError('lerna version went ahead although no package names its repository')
    if (!refused.message.includes('the release URL is not configured')) throw new ReleaseCheckError(`lerna version failed for another reason than the missing repository:\n${refused.message}`)
    if ((await git(repo, 'status', '--porcelain')) !== '') throw new ReleaseCheckError('the refused lerna version left changes behind')
    say('without a repository URL, lerna version refuses and changes nothing')

    await run(repo, process.execPath, ['scripts/release-metadata.mjs', '--write'], { RELEASE_REPOSITORY_URL: REPOSITORY })
    await git(repo, 'commit', '--quiet', '--all', '--message', 'chore(release): name the repository the packages come from')
    appendFileSync(path.join(repo, 'packages', 'sharding', 'README.md'), '\n')
    await git(repo, 'commit', '--quiet', '--all', '--message', PROBE, '--message', PROBE_NOTE)
    const expected = await listedCommits(repo, baseline)
    say(`${expected.length} feat/fix/perf or breaking commits after the baseline (the probe among them)`)

    await run(repo, 'npx', ['--no-install', ...lernaArgs])
    const problems = []
    const { packages, ranges } = checkVersions(repo, next, problems)
    const changelogs = checkChangelogs(repo, next, expected, problems)
    if ((await checkoutState()) !== before) problems.push('the real checkout changed (its files or node_modules/.package-lock.json)')
    if (problems.length > 0) throw new ReleaseCheckError(`lerna version ${next}:\n  ${problems.join('\n  ')}`)
    say(`lerna version ${next}: ${packages} packages and lerna.json at ${next}, ${ranges} internal ranges and the lockfile with them, ${changelogs} CHANGELOG.md files with the commits after the baseline (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  } finally {
    if (keep) say(`the clone stays in ${repo}`)
    else await rm(work, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const keep = args.includes('--keep')
  const rest = args.filter(a => a !== '--keep')
  const bump = rest.length === 0 ? 'minor' : rest.length === 2 && rest[0] === '--bump' ? rest[1] : undefined
  try {
    if (bump === undefined) throw new ReleaseCheckError('usage: node scripts/release-check.mjs [--bump patch|minor|major] [--keep]')
    await releaseCheck(bump, keep)
    say('PASS')
  } catch (err) {
    if (!(err instanceof ReleaseCheckError)) throw err
    console.error(`[release-check] FAIL ${err.message}`)
    process.exitCode = 1
  }
}
