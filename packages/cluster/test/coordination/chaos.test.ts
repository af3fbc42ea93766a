import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { ManagementClient } from '@clusterfunk/management'
import { checkLinearizable, kvModel, type KvInput, type KvOutput, type Operation } from '@clusterfunk/raft/sim'
import { FencedResource, checkLockHistory, type LeaseRecord } from './lock-checker.js'

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'worker.js')
const NODES = 5
const TTL_MS = 1_000

type Message = Record<string, unknown>

/** A worker process: a cluster node hammering the lock and the shared state. */
class Worker {
  readonly child: ChildProcess
  readonly messages: Message[] = []
  killedAt: number | undefined
  paused = false
  stderr = ''

  constructor (init: Record<string, unknown>, work: Record<string, unknown>) {
    this.child = spawn(process.execPath, [WORKER, JSON.stringify(init), JSON.stringify(work)], { stdio: ['ignore', 'pipe', 'pipe'] })
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', line => {
      try { this.messages.push(JSON.parse(line) as Message) } catch { this.stderr += `stdout: ${line}\n` }
    })
    this.child.stderr?.on('data', (chunk: Buffer) => { this.stderr = (this.stderr + chunk.toString()).slice(-4_000) })
  }

  get alive (): boolean { return this.killedAt === undefined }
  last (event: string): Message | undefined { return this.messages.findLast(m => m.event === event) }
  get role (): unknown { return this.last('status')?.role }
  get management (): string { return String(this.last('ready')?.management) }

  /** The lease it holds now, by its own account. */
  holding (): Message | undefined {
    const acquired = this.last('acquired')
    if (acquired === undefined) return undefined
    const ended = this.messages.findLast(m => m.event === 'ended' && m.token === acquired.token)
    return ended === undefined ? acquired : undefined
  }

  kill (): void {
    if (this.killedAt !== undefined) return
    this.killedAt = Date.now()
    this.child.kill('SIGKILL')
  }

  stop (paused: boolean): void {
    this.paused = paused
    this.child.kill(paused ? 'SIGSTOP' : 'SIGCONT')
  }
}

describe('locks and shared state on real processes under kill -9 and SIGSTOP', function () {
  this.timeout(180_000)
  const workers: Worker[] = []
  const dirs: string[] = []
  const resource = new FencedResource()
  let server: Server
  const watched: number[] = []
  let reconnects = 0
  /** Ends the watcher's current stream: it resumes on the next node from the revision after its last. */
  let hop = (): void => {}
  const watchAbort = new AbortController()

  const live = (): Worker[] => workers.filter(w => w.alive && !w.paused)
  const leader = (): Worker | undefined => live().find(w => w.role === 'Leader')
  const holder = (): Worker | undefined => live().find(w => w.holding() !== undefined)
  const acquisitions = (): number => workers.reduce((n, w) => n + w.messages.filter(m => m.event === 'acquired').length, 0)
  /** Waits until someone other than `than` is granted the lock after now. */
  async function progress (than: Worker | undefined, what: string): Promise<void> {
    const before = new Set(workers.flatMap(w => w.messages.filter(m => m.event === 'acquired').map(m => m.token)))
    await waitFor(() => live().some(w => w !== than && w.messages.some(m => m.event === 'acquired' && !before.has(m.token))), { timeoutMs: 30_000, intervalMs: 20, what })
  }

  async function watchLoop (): Promise<void> {
    let from = 1
    while (!watchAbort.signal.aborted) {
      const target = live()[reconnects % Math.max(1, live().length)]
      if (target === undefined) return
      const client = new ManagementClient({ address: target.management })
      // Reconnects after each fault (to the next node), besides when its node dies.
      const current = new AbortController()
      hop = () => { current.abort() }
      const onAbort = (): void => { current.abort() }
      watchAbort.signal.addEventListener('abort', onAbort)
      try {
        for await (const change of client.stateWatch('', from, { signal: current.signal })) {
          watched.push(change.revision)
          from = change.revision + 1
        }
      } catch {
        // The node died or paused past the call: resume elsewhere.
      } finally {
        watchAbort.signal.removeEventListener('abort', onAbort)
        client.close()
      }
      reconnects++
    }
  }

  before(async function () {
    try {
      await run()
    } catch (err) {
      // What each process said last, to see where the run stuck.
      for (const w of workers) process.stderr.write(`${String(w.last('ready')?.nodeId)} killed=${String(w.killedAt)} paused=${String(w.paused)} role=${String(w.role)}: ${JSON.stringify(w.messages.filter(m => m.event !== 'op' && m.event !== 'call').slice(-4))} ${w.stderr.slice(-500)}\n`)
      throw err
    }
  })

  async function run (): Promise<void> {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      const ok = resource.write(url.searchParams.get('owner') ?? '', Number(url.searchParams.get('token')), Date.now())
      res.statusCode = ok ? 200 : 409
      res.end()
    })
    await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    for (let i = 0; i < NODES; i++) {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-chaos-'))
      dirs.push(dataDir)
      const first = workers[0]
      if (first !== undefined) await waitFor(() => first.last('ready'), { timeoutMs: 30_000, what: 'the first node ready' })
      workers.push(new Worker({
        // Raft's etcd-like timings: the test shares a busy machine, and an election on every scheduling hiccup would test nothing.
        name: 'chaos', nodeId: `n${i}`, dataDir, zeroconf: false, swimPort: 0, swimPreset: 'local', shards: 64, bootstrapExpect: NODES, raftPreset: 'default',
        ...(first === undefined ? {} : { join: [String(first.last('ready')?.swim)] })
      }, { resource: `http://127.0.0.1:${port}`, lock: 'chaos', ttlMs: TTL_MS, writes: 10, keys: ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'], client: i }))
    }
    await waitFor(() => workers.every(w => w.last('ready') !== undefined) && leader() !== undefined && acquisitions() >= 3,
      { timeoutMs: 60_000, intervalMs: 50, what: 'five nodes up, a leader, and the lock changing hands' })
    void watchLoop()

    // 1. A holder paused past its ttl: the lock moves on; its late write must be refused.
    const paused = await waitFor(() => holder(), { timeoutMs: 20_000, intervalMs: 5, what: 'a holder' })
    paused.stop(true)
    await progress(paused, 'the lock granted past the paused holder')
    await waitFor(() => resource.writes.some(w => w.accepted && w.owner !== paused.holding()?.owner && w.token > Number(paused.holding()?.token ?? 0)), { timeoutMs: 20_000, what: 'the next holder writes' })
    paused.stop(false)
    await waitFor(() => paused.holding() === undefined, { timeoutMs: 20_000, what: 'the resumed holder gives up its lease' })
    hop()
    // 2. The leader paused: a new one is elected and the lock keeps moving.
    const pausedLeader = await waitFor(() => leader(), { timeoutMs: 20_000, what: 'a leader' })
    pausedLeader.stop(true)
    await waitFor(() => live().some(w => w.role === 'Leader'), { timeoutMs: 30_000, intervalMs: 20, what: 'a new leader' })
    await progress(pausedLeader, 'the lock granted under the new leader')
    pausedLeader.stop(false)
    hop()
    // 3. A holder killed: the next waiter is granted once the leader declares it dead.
    const victim = await waitFor(() => holder() !== leader() ? holder() : undefined, { timeoutMs: 20_000, intervalMs: 5, what: 'a holder that is not the leader' })
    victim.kill()
    await progress(victim, 'the lock granted after the holder was killed')
    hop()
    // 4. The leader killed (two of five voters are gone now: no more faults, or no quorum would be left).
    const deadLeader = await waitFor(() => leader(), { timeoutMs: 30_000, what: 'a leader' })
    deadLeader.kill()
    await waitFor(() => live().some(w => w.role === 'Leader'), { timeoutMs: 30_000, intervalMs: 20, what: 'a leader after the kill' })
    await progress(deadLeader, 'the lock granted after the leader was killed')
    hop()
    await progress(undefined, 'the lock still changing hands')
    // Enough state operations to judge (they ran through every fault above).
    await waitFor(() => workers.reduce((n, w) => n + w.messages.filter(m => m.event === 'op' && m.return !== undefined).length, 0) >= 100,
      { timeoutMs: 30_000, what: '100 state operations completed' })
    // Every write up to a consistent read's revision reaches the watcher.
    const client = new ManagementClient({ address: (live()[0] as Worker).management })
    const { revision } = await client.stateList('', { consistent: true })
    client.close()
    await waitFor(() => (watched.at(-1) ?? 0) >= revision, { timeoutMs: 30_000, what: `the watcher at revision ${revision}` })
  }

  after(async () => {
    watchAbort.abort()
    for (const w of workers) { if (w.paused) w.stop(false); w.kill() }
    await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  })

  function leases (): LeaseRecord[] {
    const end = Date.now()
    return workers.flatMap(w => w.messages.filter(m => m.event === 'acquired').map(a => {
      const ended = w.messages.find(m => m.event === 'ended' && m.token === a.token)
      return { owner: String(a.owner), token: Number(a.token), asked: Number(a.asked), start: Number(a.at), end: ended !== undefined ? Number(ended.at) : w.killedAt ?? end }
    }))
  }

  it('no two overlapping holders both had writes accepted, and tokens strictly increase', () => {
    const history = leases()
    expect(history.length).to.be.greaterThan(5)
    expect(checkLockHistory(history, resource.writes)).to.deep.equal([])
    const tokens = history.map(l => l.token)
    expect(new Set(tokens).size).to.equal(tokens.length)
  })

  it('the same history against a resource that ignores tokens is caught by the checker', () => {
    // The paused holders wrote after they were resumed, before they heard their leases had ended: the resource refused it.
    expect(resource.writes.filter(w => !w.accepted).length).to.be.greaterThan(0)
    expect(checkLockHistory(leases(), resource.unfenced)).to.not.deep.equal([])
  })

  it('the shared state is linearizable', () => {
    // Every call a worker made, completed by its answer; a call with none (it failed, or its worker was killed first) is pending.
    const ops: Array<Operation<KvInput, KvOutput>> = workers.flatMap(w => {
      const answers = new Map(w.messages.filter(m => m.event === 'op').map(m => [`${String(m.client)}/${String(m.seq)}`, m]))
      return w.messages.filter(m => m.event === 'call').map(c => {
        const m = answers.get(`${String(c.client)}/${String(c.seq)}`)
        return {
          client: Number(c.client),
          input: c.input as KvInput,
          call: Number(c.call),
          ...(m?.return === undefined ? {} : { return: Number(m.return), output: m.output as KvOutput })
        }
      })
    })
    const errors = workers.flatMap(w => w.messages.filter(m => m.event === 'op' && m.error !== undefined).map(m => String(m.error)))
    expect(ops.filter(o => o.return !== undefined).length, `completed ops; failed: ${JSON.stringify(errors.slice(0, 20))}`).to.be.at.least(100)
    const result = checkLinearizable(kvModel, ops, { maxSteps: 20_000_000 })
    expect(result.verdict, (result.failing ?? []).slice(-12).map(o => kvModel.describe?.(o) ?? '').join('\n')).to.equal('ok')
  })

  it('a watch delivered every revision once and in order, across reconnects', () => {
    expect(reconnects).to.be.greaterThan(0)
    expect(watched[0]).to.equal(1)
    watched.forEach((r, i) => { expect(r, `position ${i}`).to.equal(i + 1) })
  })
})
