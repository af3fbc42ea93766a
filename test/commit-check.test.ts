import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const SCRIPT = fileURLToPath(new URL('../../scripts/commit-check.mjs', import.meta.url))
const run = promisify(execFile)

interface Outcome { code: number, stdout: string, stderr: string }

async function commitCheck (repo: string): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT, '--repo', repo], { timeout: 30_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code?: number, stdout?: string, stderr?: string }
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

describe('the commit-message check (scripts/commit-check.mjs)', () => {
  let repo: string
  const git = async (...args: string[]): Promise<string> =>
    (await run('git', ['-C', repo, '-c', 'user.email=check@127.0.0.1', '-c', 'user.name=check', ...args])).stdout.trim()
  const commit = async (message: string): Promise<string> => {
    await git('commit', '--quiet', '--allow-empty', '-m', message)
    return await git('rev-parse', 'HEAD')
  }

  beforeEach(async () => {
    repo = await mkdtemp(path.join(tmpdir(), 'clusterfunk-commit-check-'))
    await git('init', '--quiet', '--initial-branch=main')
    const baseline = await commit('the old style, before the baseline: exempt')
    await writeFile(path.join(repo, '.commitlint-baseline'), `# exempt up to here\n${baseline}\n`)
    await git('add', '.commitlint-baseline')
    await commit('chore(release): name the baseline')
  })

  afterEach(async () => {
    await rm(repo, { recursive: true, force: true })
  })

  it('accepts conventional messages with the project\'s scopes, and a merge commit of its own wording', async () => {
    await commit('feat(raft): pre-vote for a rejoining node\n\nA long body line is prose and may run on past a hundred characters without breaking the check at all.')
    await git('checkout', '--quiet', '-b', 'side')
    await commit('fix(machine,kvdb): Redis clients see MOVED with the leader')
    await git('checkout', '--quiet', 'main')
    await git('merge', '--quiet', '--no-ff', 'side', '-m', 'merge side: the lead\'s words')
    const out = await commitCheck(repo)
    expect(out.code, out.stderr).to.equal(0)
    expect(out.stdout).to.contain('3 commits after the baseline')
  })

  it('rejects a message without a type, naming the commit', async () => {
    const bad = await commit('reshard duration: measured from the proposal')
    await commit('docs: a good one after it')
    const out = await commitCheck(repo)
    expect(out.code).to.equal(1)
    expect(out.stderr).to.contain(`commit ${bad.slice(0, 12)}`)
    expect(out.stderr).to.contain('[type-empty]')
    expect(out.stderr).to.contain('1 of 3 commits')
  })

  it('rejects a scope that names no package', async () => {
    await commit('feat(everything): a scope of no package')
    const out = await commitCheck(repo)
    expect(out.code).to.equal(1)
    expect(out.stderr).to.contain('[scope-enum]')
  })

  it('takes a breaking change as a BREAKING CHANGE footer, and refuses ! in the header, which the changelog cannot read', async () => {
    await commit('feat(raft): snapshots carry the membership\n\nBREAKING CHANGE: a snapshot of 0.1.0 no longer restores')
    expect((await commitCheck(repo)).code).to.equal(0)
    await commit('feat(raft)!: snapshots carry the membership')
    const out = await commitCheck(repo)
    expect(out.code).to.equal(1)
    expect(out.stderr).to.contain('[breaking-change-footer]')
  })

  it('refuses a shallow clone that lacks the baseline, and says how to deepen it', async () => {
    await commit('feat(sharding): one after the baseline')
    await commit('fix(sharding): and another')
    const shallow = `${repo}-shallow`
    try {
      await run('git', ['clone', '--quiet', '--depth', '1', `file://${repo}`, shallow])
      const out = await commitCheck(shallow)
      expect(out.code).to.equal(1)
      expect(out.stderr).to.contain('this clone is shallow and lacks the baseline')
      expect(out.stderr).to.contain('git fetch --unshallow')
    } finally {
      await rm(shallow, { recursive: true, force: true })
    }
  })

  it('refuses a baseline that is not in the history, with the reason', async () => {
    await writeFile(path.join(repo, '.commitlint-baseline'), `${'0'.repeat(40)}\n`)
    const out = await commitCheck(repo)
    expect(out.code).to.equal(1)
    expect(out.stderr).to.contain('is not in this repository\'s history')
  })
})
