import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// The repository root, from packages/cluster/dist/test/harness.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..')
const HOOK = path.join(ROOT, 'scripts', 'fail-on-unhandled.cjs')
const MOCHA = createRequire(import.meta.url).resolve('mocha/bin/mocha.js')

interface Run { code: number | null, output: string }

/** Runs mocha on `file` in a child process, with the hook or without. */
async function mocha (file: string, withHook: boolean): Promise<Run> {
  const args = [MOCHA, '--no-config', '--reporter', 'dot', '--timeout', '10000', ...(withHook ? ['--require', HOOK] : []), file]
  return await new Promise(resolve => {
    execFile(process.execPath, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null
      resolve({ code, output: stdout + stderr })
    })
  })
}

const LEAKS = `
it('leaks a rejection nobody handles', async () => {
  Promise.reject(new Error('leaked on purpose'))
  await new Promise(resolve => setImmediate(resolve))
})
it('runs after it', () => {})
`
const LEAKS_BETWEEN_TESTS = `
it('starts work that rejects after the test ended', () => {
  setTimeout(() => { Promise.reject(new Error('rejected later on purpose')) }, 1)
})
it('waits a little', async () => { await new Promise(resolve => setTimeout(resolve, 50)) })
`
const CLEAN = `
it('handles its rejection', async () => {
  await Promise.reject(new Error('handled')).catch(() => {})
})
`

describe('the test harness (fail-on-unhandled root hook)', function () {
  this.timeout(60_000)
  let dir: string

  before(async () => { dir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-hook-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  const fixture = async (name: string, text: string): Promise<string> => {
    const file = path.join(dir, name)
    await writeFile(file, text)
    return file
  }

  it('mocha alone passes a run that leaks a rejection (why the hook exists)', async () => {
    const run = await mocha(await fixture('leaks.test.cjs', LEAKS), false)
    expect(run.code).to.equal(0)
  })

  it('with the hook, a deliberately unhandled rejection fails the run and names it', async () => {
    const run = await mocha(await fixture('leaks.test.cjs', LEAKS), true)
    expect(run.code).to.not.equal(0)
    expect(run.output).to.contain('unhandled rejection')
    expect(run.output).to.contain('leaked on purpose')
  })

  it('with the hook, a rejection from work a finished test left behind fails the run too', async () => {
    const run = await mocha(await fixture('later.test.cjs', LEAKS_BETWEEN_TESTS), true)
    expect(run.code).to.not.equal(0)
    expect(run.output).to.contain('rejected later on purpose')
  })

  it('with the hook, a run without leaks still passes', async () => {
    const run = await mocha(await fixture('clean.test.cjs', CLEAN), true)
    expect(run).to.deep.include({ code: 0 })
    expect(run.output).to.contain('1 passing')
  })
})
