import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'

const DEMO = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'demo.js')

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists but is not ours, which still means alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

describe('the cluster demo', function () {
  this.timeout(120_000)
  let child: ReturnType<typeof spawn> | undefined

  afterEach(() => {
    // Only when the test itself failed mid-run: the demo kills its nodes on SIGTERM.
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  })

  it('runs three nodes with replication factor 2, survives a kill -9 without losing an acknowledged key, takes the node back, and leaves nothing running', async () => {
    let out = ''
    child = spawn(process.execPath, [DEMO], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout?.on('data', (c: Buffer) => { out += c.toString() })
    child.stderr?.on('data', (c: Buffer) => { out += c.toString() })
    const proc = child
    let code: number | null | undefined
    proc.on('exit', c => { code = c })
    await waitFor(() => code !== undefined, { timeoutMs: 90_000, intervalMs: 100, what: 'the demo to finish' })

    expect(code, out).to.equal(0)
    // funkctl shards: primaries and, with R = 2, the replicas each node holds (10 000 in all).
    expect(out).to.match(/NODE\s+SHARDS\s+PERCENT\s+REPLICAS\n(n\d\s+\d+\s+[\d.]+%\s+\d+\n){3}TOTAL\s+10000\s+100\.00%\s+10000\n/)
    expect(out).to.include('State         Operational')
    const firstBatch = out.slice(out.indexOf('== 3.'), out.indexOf('== 4.'))
    for (const id of ['n1', 'n2', 'n3']) expect(firstBatch).to.match(new RegExp(`served by ${id}:\\s+[1-9]\\d*`))
    expect(firstBatch).to.include('0 failed, 0 wrong values')
    expect(out).to.match(/kill -9 n\d \(pid \d+\)/)
    expect(out).to.match(/recovery: Operational again after \d+ ms with map v\d+/)
    // Replication factor 2: every key acknowledged before the kill -9 is read back through the survivors.
    const acked = Number(/wrote 100 keys durable-0\.\.99: (\d+) acknowledged/.exec(out)?.[1] ?? 0)
    expect(acked).to.be.greaterThan(0)
    expect(out).to.include(`read back ${acked} of ${acked} acknowledged keys`)
    expect(out).to.match(/acknowledged keys through n\d, n\d: 0 lost/)
    expect(out).to.match(/restarted n\d \(pid \d+\)/)
    expect(out).to.match(/restart: n\d back in map v\d+ after \d+ ms/)
    expect(out).to.match(/removed .*kv-demo-.*; demo done/)

    const pids = [...out.matchAll(/pid (\d+)/g)].map(m => Number(m[1]))
    expect(pids.length).to.be.at.least(4)
    // The demo waited for each node to exit, so none should linger now.
    expect(pids.filter(alive), out).to.deep.equal([])
  })
})
