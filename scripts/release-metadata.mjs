#!/usr/bin/env node
// Where a published package says it lives: `repository` (with the package's
// folder as `directory`), `homepage` and `bugs`. The project has no public
// host yet, so no package.json names one; --write fills them in from the URL
// the release is given, and --check (run by lerna before `lerna version` and
// before `lerna publish` packs anything: the root preversion and prepublishOnly
// scripts) refuses a release while any is missing.
// A publish to a registry on loopback (RELEASE_REHEARSAL_REGISTRY=http://127.0.0.1:<port>/,
// as scripts/registry-check.sh does) is a rehearsal and goes ahead without them.
// Usage: RELEASE_REPOSITORY_URL=https://<host>/<owner>/<repo> node scripts/release-metadata.mjs --write
//        node scripts/release-metadata.mjs --check
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { publishedPackages } from './package-hygiene.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export class ReleaseMetadataError extends Error {
  constructor (message) {
    super(message)
    this.name = 'ReleaseMetadataError'
  }
}

/** The repository's web address from RELEASE_REPOSITORY_URL: https, no credentials, no `.git`, no trailing slash. */
export function repositoryUrl (raw) {
  if (raw === undefined || raw.trim() === '') {
    throw new ReleaseMetadataError('RELEASE_REPOSITORY_URL is not set: give the address the project is hosted at, e.g. RELEASE_REPOSITORY_URL=https://<host>/<owner>/<repo>')
  }
  let url
  try {
    url = new URL(raw.trim())
  } catch {
    throw new ReleaseMetadataError(`RELEASE_REPOSITORY_URL is not a URL: ${raw}`)
  }
  if (url.protocol !== 'https:') throw new ReleaseMetadataError(`RELEASE_REPOSITORY_URL must be https: ${raw}`)
  if (url.username !== '' || url.password !== '') throw new ReleaseMetadataError('RELEASE_REPOSITORY_URL must not carry credentials')
  if (url.search !== '' || url.hash !== '') throw new ReleaseMetadataError(`RELEASE_REPOSITORY_URL must be the repository's address alone: ${raw}`)
  const pathname = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '')
  if (pathname === '') throw new ReleaseMetadataError(`RELEASE_REPOSITORY_URL names a host, not a repository: ${raw}`)
  return `${url.origin}${pathname}`
}

/** The fields one package gets: its folder (relative to the root, `/`-separated) under the repository. */
export function metadataFor (url, directory) {
  return {
    repository: { type: 'git', url: `git+${url}.git`, directory },
    homepage: `${url}#readme`,
    bugs: { url: `${url}/issues` }
  }
}

function packages (root) {
  return publishedPackages(root).map(dir => {
    const file = path.join(dir, 'package.json')
    return { file, directory: path.relative(root, dir).split(path.sep).join('/'), pkg: JSON.parse(readFileSync(file, 'utf8')) }
  })
}

/** Every way the published packages' release metadata falls short, as readable lines. */
export function metadataProblems (root = ROOT) {
  const found = []
  const urls = new Set()
  for (const { directory, pkg } of packages(root)) {
    const repo = pkg.repository
    if (typeof repo !== 'object' || repo === null || typeof repo.url !== 'string') {
      found.push(`${directory}: package.json has no repository`)
      continue
    }
    urls.add(repo.url)
    if (repo.type !== 'git') found.push(`${directory}: repository.type should be "git"`)
    if (repo.directory !== directory) found.push(`${directory}: repository.directory should be "${directory}"`)
    if (typeof pkg.homepage !== 'string') found.push(`${directory}: package.json has no homepage`)
    if (typeof pkg.bugs?.url !== 'string') found.push(`${directory}: package.json has no bugs.url`)
  }
  if (urls.size > 1) found.push(`the packages name different repositories: ${[...urls].join(', ')}`)
  return found
}

/** Writes the fields into every published package.json; returns the folders written. */
export function writeMetadata (url, root = ROOT) {
  const written = []
  const fields = ['repository', 'homepage', 'bugs']
  for (const { file, directory, pkg } of packages(root)) {
    // After description and keywords, where npm and readers look for them.
    const out = {}
    for (const [key, value] of Object.entries(pkg)) {
      if (fields.includes(key)) continue
      out[key] = value
      if (key === 'keywords') Object.assign(out, metadataFor(url, directory))
    }
    if (out.repository === undefined) Object.assign(out, metadataFor(url, directory))
    writeFileSync(file, JSON.stringify(out, null, 2) + '\n')
    written.push(directory)
  }
  return written
}

/** A loopback registry named by RELEASE_REHEARSAL_REGISTRY, or undefined. */
export function rehearsalRegistry (raw) {
  if (raw === undefined || raw === '') return undefined
  let url
  try {
    url = new URL(raw)
  } catch {
    throw new ReleaseMetadataError(`RELEASE_REHEARSAL_REGISTRY is not a URL: ${raw}`)
  }
  if (!['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)) {
    throw new ReleaseMetadataError(`RELEASE_REHEARSAL_REGISTRY must be on loopback, not ${url.hostname}: a real release needs RELEASE_REPOSITORY_URL`)
  }
  return url.href
}

function main (argv) {
  if (argv.includes('--write')) {
    const url = repositoryUrl(process.env.RELEASE_REPOSITORY_URL)
    const written = writeMetadata(url)
    console.log(`release-metadata: ${written.length} packages name ${url}`)
    return 0
  }
  if (argv.includes('--check')) {
    const problems = metadataProblems()
    if (problems.length === 0) return 0
    const rehearsal = rehearsalRegistry(process.env.RELEASE_REHEARSAL_REGISTRY)
    if (rehearsal !== undefined) {
      console.log(`release-metadata: a rehearsal on ${rehearsal}; the packages name no repository yet`)
      return 0
    }
    for (const line of problems) console.error(`release-metadata: ${line}`)
    console.error('release-metadata: the release URL is not configured. Run\n' +
      '  RELEASE_REPOSITORY_URL=https://<host>/<owner>/<repo> node scripts/release-metadata.mjs --write\n' +
      'and commit the package.json files before `lerna version` / `lerna publish` (README: Releasing).')
    return 1
  }
  throw new ReleaseMetadataError('usage: node scripts/release-metadata.mjs --check | --write (with RELEASE_REPOSITORY_URL)')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2))
  } catch (err) {
    if (!(err instanceof ReleaseMetadataError)) throw err
    console.error(`release-metadata: ${err.message}`)
    process.exitCode = 1
  }
}
