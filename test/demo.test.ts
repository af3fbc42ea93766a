import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const DEMO = fileURLToPath(new URL('../../examples/foundation-demo/dist/src/main.js', import.meta.url))
const run = promisify(execFile)

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('the README demo (npm run demo)', () => {
  it('rebalances shards, catches a kill -9, sees the node return, and exits 0 leaving no process behind', async () => {
    const { stdout } = await run(process.execPath, [DEMO], { timeout: 60_000 })
    expect(stdout).to.match(/n4 joins[^\n]*\n\s+moved 2500 shards \(exactly n4's new share/)
    expect(stdout).to.match(/n2 leaves[^\n]*\n\s+moved 1667 shards: /)
    const killed = /kill -9 (\d+) \(n2\)/.exec(stdout)
    expect(killed, 'the demo kills a node').to.not.equal(null)
    expect(stdout).to.match(/node:dead n2 after \d+ ms \(3 missed probes\)/)
    expect(stdout).to.match(/n2 restarted on the same port \(pid \d+\): node:alive after \d+ ms/)
    const pids = [...stdout.matchAll(/pid (\d+)/g)].map(m => Number(m[1]))
    expect(pids.length).to.equal(4)
    expect(pids.filter(alive), 'processes left running').to.deep.equal([])
  })

  it('refuses a bad --shards with a message and exit code 2', async () => {
    const err = await run(process.execPath, [DEMO, '--shards', 'many'], { timeout: 30_000 }).then(() => undefined, (e: unknown) => e)
    expect(err).to.include({ code: 2 })
    expect((err as { stderr: string }).stderr).to.contain('--shards must be a whole number')
  })
})
