import { expect } from 'chai'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

interface Metadata {
  repositoryUrl: (raw: string | undefined) => string
  metadataProblems: (root?: string) => string[]
  writeMetadata: (url: string, root?: string) => string[]
  rehearsalRegistry: (raw: string | undefined) => string | undefined
}
interface Peers { syncPeers: (root?: string) => string[] }

const load = async <T>(script: string): Promise<T> => await import(fileURLToPath(new URL(`../../scripts/${script}`, import.meta.url))) as T

async function workspace (packages: Record<string, object>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'clusterfunk-release-metadata-'))
  await writeFile(path.join(root, 'package.json'), JSON.stringify({ private: true, workspaces: ['packages/*'] }))
  for (const [dir, pkg] of Object.entries(packages)) {
    await mkdir(path.join(root, 'packages', dir), { recursive: true })
    await writeFile(path.join(root, 'packages', dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n')
  }
  return root
}

const readPkg = async (root: string, dir: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(path.join(root, 'packages', dir, 'package.json'), 'utf8')) as Record<string, unknown>

describe('release metadata (scripts/release-metadata.mjs)', () => {
  let root: string
  afterEach(async () => { await rm(root, { recursive: true, force: true }) })

  it('refuses a release while the packages name no repository, and passes once --write named one with each folder', async () => {
    const m = await load<Metadata>('release-metadata.mjs')
    root = await workspace({
      a: { name: '@x/a', version: '1.0.0', description: 'package a', keywords: ['a'], license: 'MIT' },
      b: { name: '@x/b', version: '1.0.0', description: 'package b' },
      c: { name: '@x/c', version: '1.0.0', private: true }
    })
    expect(m.metadataProblems(root)).to.deep.equal(['packages/a: package.json has no repository', 'packages/b: package.json has no repository'])
    expect(m.writeMetadata('https://host.example/owner/repo', root)).to.deep.equal(['packages/a', 'packages/b'])
    expect(m.metadataProblems(root)).to.deep.equal([])
    const a = await readPkg(root, 'a')
    expect(Object.keys(a)).to.deep.equal(['name', 'version', 'description', 'keywords', 'repository', 'homepage', 'bugs', 'license'])
    expect(a.repository).to.deep.equal({ type: 'git', url: 'git+https://host.example/owner/repo.git', directory: 'packages/a' })
    expect(a.homepage).to.equal('https://host.example/owner/repo#readme')
    expect(a.bugs).to.deep.equal({ url: 'https://host.example/owner/repo/issues' })
    expect((await readPkg(root, 'c')).repository, 'a private package is left alone').to.equal(undefined)
  })

  it('finds a package whose repository names another folder or another repository', async () => {
    const m = await load<Metadata>('release-metadata.mjs')
    const repo = (url: string, directory: string): object => ({ repository: { type: 'git', url, directory }, homepage: url, bugs: { url } })
    root = await workspace({
      a: { name: '@x/a', version: '1.0.0', ...repo('git+https://h.example/o/r.git', 'packages/b') },
      b: { name: '@x/b', version: '1.0.0', ...repo('git+https://h.example/o/other.git', 'packages/b') }
    })
    expect(m.metadataProblems(root)).to.deep.equal([
      'packages/a: repository.directory should be "packages/a"',
      'the packages name different repositories: git+https://h.example/o/r.git, git+https://h.example/o/other.git'
    ])
  })

  it('takes the repository address only as plain https, and a rehearsal registry only on loopback', async () => {
    const m = await load<Metadata>('release-metadata.mjs')
    expect(m.repositoryUrl('https://host.example/owner/repo.git/')).to.equal('https://host.example/owner/repo')
    for (const bad of [undefined, '', 'not a url', 'http://host.example/o/r', 'https://user:pw@host.example/o/r', 'https://host.example/', 'https://host.example/o/r?x=1']) {
      expect(() => m.repositoryUrl(bad), String(bad)).to.throw().with.property('name', 'ReleaseMetadataError')
    }
    expect(m.rehearsalRegistry(undefined)).to.equal(undefined)
    expect(m.rehearsalRegistry('http://127.0.0.1:4873')).to.equal('http://127.0.0.1:4873/')
    expect(() => m.rehearsalRegistry('https://registry.npmjs.org/')).to.throw(/must be on loopback/)
  })
})

describe('release peer ranges (scripts/release-peers.mjs)', () => {
  let root: string
  afterEach(async () => { await rm(root, { recursive: true, force: true }) })

  it('moves peer ranges on workspace packages to their versions, keeping the prefix, and leaves outside peers alone', async () => {
    const p = await load<Peers>('release-peers.mjs')
    root = await workspace({
      sim: { name: '@x/sim', version: '0.2.0' },
      core: { name: '@x/core', version: '0.2.0' },
      raft: { name: '@x/raft', version: '0.2.0', peerDependencies: { '@x/sim': '0.1.0', '@x/core': '^0.1.0', 'classic-level': '^3.0.0' } }
    })
    expect(p.syncPeers(root)).to.deep.equal(['@x/raft: peer @x/sim 0.1.0 -> 0.2.0', '@x/raft: peer @x/core ^0.1.0 -> ^0.2.0'])
    expect((await readPkg(root, 'raft')).peerDependencies).to.deep.equal({ '@x/sim': '0.2.0', '@x/core': '^0.2.0', 'classic-level': '^3.0.0' })
    expect(p.syncPeers(root), 'a second run has nothing to move').to.deep.equal([])
  })
})
