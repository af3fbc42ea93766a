import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitFor } from '@clusterfunk/core'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { NodeProcess } from '../cluster/process.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..')
const CHROMIUM = '/usr/bin/chromium'
/** The screenshots this test leaves for a reader of the test output (git-ignored). */
const SCREENSHOT = path.join(ROOT, 'test-output', 'status-page.png')
const PHONE_SCREENSHOT = path.join(ROOT, 'test-output', 'status-page-phone.png')
/** A kill -9 must show on the page within this long. */
const SHOWN_WITHIN_MS = 2_000

interface Status { nodeId: string, role: string, state: string, version: number, members: string[] }

describe('The status page in a real browser (Debian chromium, headless) against three node processes', function () {
  this.timeout(120_000)
  const processes: NodeProcess[] = []
  const dirs: string[] = []
  let browser: BrowserContext | undefined

  before(function () {
    this.timeout(1_200_000)
    // The project's own script installs Debian's chromium when it is missing.
    if (!existsSync(CHROMIUM)) execFileSync('bash', [path.join(ROOT, 'scripts', 'install-chromium.sh')], { stdio: 'inherit' })
  })

  after(async () => {
    await browser?.close()
    for (const p of processes) {
      p.kill()
      await p.exited(5_000)
    }
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  async function node (nodeId: string, join: string[]): Promise<NodeProcess> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-status-'))
    dirs.push(dataDir)
    const p = new NodeProcess({
      name: 'status', nodeId, dataDir, bootstrapExpect: 3, join, zeroconf: false, swimPort: 0, swimPreset: 'local', shards: 1_024, metricsPort: 0, statusPage: true
    })
    processes.push(p)
    return p
  }

  it('shows the three members, and a kill -9 of one within 2 s; a screenshot is saved', async () => {
    const a = await node('node-a', [])
    const swim = (await a.message('ready')).swim as string
    const b = await node('node-b', [swim])
    const c = await node('node-c', [swim])
    const nodes = [a, b, c]
    const status = (p: NodeProcess): Status | undefined => p.last('status') as Status | undefined
    await waitFor(() => nodes.every(p => status(p)?.state === 'Operational' && status(p)?.members.length === 3), { timeoutMs: 60_000, what: 'three Operational node processes with one map of three' })
    // The leader as its own status page says it (the page the liveness column is filled on).
    const pages = await Promise.all(nodes.map(async p => ((await p.message('ready')).metrics as string).replace(/\/metrics$/, '/status')))
    const leaderAt = await waitFor(async () => {
      for (let i = 0; i < pages.length; i++) {
        const data = await (await fetch(`${pages[i] ?? ''}/data`)).json() as { role: string, state: string, members: unknown[] }
        if (data.role === 'Leader' && data.state === 'Operational' && data.members.length === 3) return i
      }
      return undefined
    }, { timeoutMs: 20_000, what: 'a leader whose page lists three members' })
    const url = pages[leaderAt] as string
    const victim = nodes.find(p => p !== nodes[leaderAt]) as NodeProcess
    const victimId = status(victim)?.nodeId as string

    const profile = await mkdtemp(path.join(tmpdir(), 'clusterfunk-chromium-'))
    dirs.push(profile)
    // A new, empty profile (--user-data-dir) for this run.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']
    })
    const page: Page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', err => { errors.push(err.message) })
    await page.goto(url)
    await page.waitForFunction("document.querySelectorAll('#members tbody tr').length === 3", undefined, { timeout: 20_000 })
    const ids = await page.evaluate("[...document.querySelectorAll('#members tbody tr')].map(r => r.dataset.node)") as string[]
    expect(ids).to.have.members(['node-a', 'node-b', 'node-c'])
    await page.waitForFunction("document.getElementById('node-role').textContent === 'Leader'", undefined, { timeout: 30_000 })
    expect(await page.evaluate("document.querySelectorAll('#chart svg rect').length")).to.equal(3)
    // The leader's liveness checker watches the victim before it dies.
    const row = `document.querySelector('tr[data-node="${victimId}"]')`
    await page.waitForFunction(`${row}?.dataset.liveness === 'Alive'`, undefined, { timeout: 20_000 })

    const killedAt = performance.now()
    victim.child.kill('SIGKILL')
    await page.waitForFunction(`(r => r === null || r.dataset.liveness === 'Dead' || r.dataset.swim !== 'Alive')(${row})`, undefined, { timeout: 10_000, polling: 20 })
    const shownMs = performance.now() - killedAt
    console.log(`      kill -9 of ${victimId} shown on the leader's status page after ${shownMs.toFixed(0)} ms (bound ${SHOWN_WITHIN_MS} ms)`)
    expect(shownMs).to.be.below(SHOWN_WITHIN_MS)
    // The events stream says it too.
    await page.waitForFunction("[...document.querySelectorAll('#events li')].some(li => li.dataset.type === 'node:dead')", undefined, { timeout: 10_000 })

    await mkdir(path.dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    console.log(`      screenshot: ${path.relative(ROOT, SCREENSHOT)}`)

    // A phone's width: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 })
    // The chart is drawn as wide as its box: wait for the next snapshot to draw it at this width.
    const drawn = await page.evaluate('document.body.dataset.updated') as string
    await page.waitForFunction(`document.body.dataset.updated !== '${drawn}'`, undefined, { timeout: 10_000 })
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as number
    expect(overflow).to.be.at.most(0)
    await page.screenshot({ path: PHONE_SCREENSHOT, fullPage: true })
    console.log(`      screenshot: ${path.relative(ROOT, PHONE_SCREENSHOT)}`)
    expect(errors).to.deep.equal([])
  })
})
