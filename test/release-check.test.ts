import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const SCRIPT = fileURLToPath(new URL('../../scripts/release-check.mjs', import.meta.url))

describe('a release, rehearsed offline (scripts/release-check.mjs)', () => {
  it('in a clone of the committed tree, lerna version refuses without a repository, then bumps every package, its internal ranges and the lockfile, and writes the changelogs from the commits after the baseline', async function () {
    this.timeout(180_000)
    const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, '--bump', 'minor'], { timeout: 170_000, maxBuffer: 16 * 1024 * 1024 })
    expect(stdout).to.contain('without a repository URL, lerna version refuses and changes nothing')
    expect(stdout).to.match(/lerna version \d+\.\d+\.0: \d+ packages and lerna.json at /)
    expect(stdout).to.match(/\[release-check\] PASS$/m)
  })
})
