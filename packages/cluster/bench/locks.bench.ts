// Lock figures on real node processes on 127.0.0.1 (each with its own
// classic-level Raft log, every durable write fsynced):
// - lock.acquire.p50: an uncontended acquire (then release) on the leader of
//   3 nodes, through the log; lock.acquire.follower.p50 the same from a
//   follower (forwarded to the leader over the management channel); each
//   after untimed warm-up rounds (the first ones after start run cold code);
// - lock.raft.p50: its side-by-side peer, one bare Raft entry through 3 nodes
//   (the same store, transport and preset, a state machine that does
//   nothing) in the same node processes, led from the cluster leader's
//   process, in blocks alternating with the acquire's; lock.acquire.vs_raft
//   the ratio of the two: what an acquire costs beyond a Raft entry, read
//   apart from the host's load;
// - lock.failover: a holder killed with kill -9 → the next waiter (on another
//   node) granted. Bounded by death detection: the leader's liveness checker
//   (the `fast` timing preset the nodes run with: a probe every 100 ms, dead
//   after 3 misses; the default `stable` preset takes 200 ms × 5) declares the
//   holder dead, then the leader appends its leases' removal, which grants
//   the waiter.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { waitFor } from '@clusterfunk/core'
import { median, printFigure, quantile, type BenchOptions } from '@clusterfunk/core/bench'

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lock-node.js')
type Message = Record<string, unknown>

class LockNode {
  readonly child: ChildProcess
  readonly messages: Message[] = []

  constructor (init: Record<string, unknown>) {
    this.child = spawn(process.execPath, [FIXTURE, JSON.stringify(init)], { stdio: ['pipe', 'pipe', 'inherit'] })
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', line => {
      try { this.messages.push(JSON.parse(line) as Message) } catch { /* not ours */ }
    })
  }

  last (event: string): Message | undefined { return this.messages.findLast(m => m.event === event) }
  send (line: string): void { this.child.stdin?.write(`${line}\n`) }
  async next (event: string, after: number, timeoutMs = 30_000): Promise<Message> {
    return await waitFor(() => this.messages.slice(after).find(m => m.event === event || m.event === 'error'), { timeoutMs, intervalMs: 2, what: event })
  }

  /** Sends `line` and waits for `event` (throws the node's error). */
  async ask (line: string, event: string, timeoutMs = 30_000): Promise<Message> {
    const at = this.messages.length
    this.send(line)
    const m = await this.next(event, at, timeoutMs)
    if (m.event === 'error') throw new Error(`${line}: ${String(m.error)}`)
    return m
  }
}

/**
 * The peer of the acquire figure: a bare Raft group of one node in each
 * process of `nodes`, led from `leader`'s process.
 */
class BareRaftGroup {
  private readonly nodes: LockNode[]
  private readonly leader: LockNode

  private constructor (nodes: LockNode[], leader: LockNode) {
    this.nodes = nodes
    this.leader = leader
  }

  static async start (nodes: LockNode[], leader: LockNode): Promise<BareRaftGroup> {
    const group = new BareRaftGroup(nodes, leader)
    try {
      const voters = await Promise.all(nodes.map(async (n, i) => {
        const m = await n.ask(`raft-start bare-${i}`, 'raft-ready')
        return { id: String(m.id), address: String(m.address) }
      }))
      await Promise.all(nodes.map(async n => { await n.ask(`raft-bootstrap ${JSON.stringify(voters)}`, 'raft-bootstrapped') }))
      const leading = async (n: LockNode): Promise<boolean> => (await n.ask('raft-leading', 'raft-leading')).leading === true
      const target = voters[nodes.indexOf(leader)]?.id as string
      await waitFor(async () => {
        if (await leading(leader)) return true
        for (const n of nodes) {
          if (n !== leader && await leading(n)) await n.ask(`raft-transfer ${target}`, 'raft-transferred').catch(() => {})
        }
        return false
      }, { timeoutMs: 30_000, intervalMs: 50, what: "the bare Raft group led from the cluster leader's process" })
    } catch (err) {
      await group.stop()
      throw err
    }
    return group
  }

  /** `count` entries one after another from the leader, after `warmup` untimed ones: each one's latency in ms. */
  async bench (count: number, warmup: number): Promise<number[]> {
    return (await this.leader.ask(`raft-bench ${count} ${warmup}`, 'raft-samples', 120_000)).samples as number[]
  }

  async stop (): Promise<void> {
    await Promise.all(this.nodes.map(async n => { await n.ask('raft-stop', 'raft-stopped').catch(() => {}) }))
  }
}

export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const samples = options.tiny === true ? 5 : 200
  const warmup = options.tiny === true ? 1 : 50
  const blocks = options.tiny === true ? 1 : 10
  const trials = options.tiny === true ? 1 : 7
  const dirs: string[] = []
  const nodes: LockNode[] = []
  const start = async (init: Record<string, unknown>): Promise<LockNode> => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-lock-bench-'))
    dirs.push(dataDir)
    const node = new LockNode({ name: 'lockbench', dataDir, zeroconf: false, swimPort: 0, swimPreset: 'local', timing: 'fast', shards: 256, ...init })
    nodes.push(node)
    await node.next('ready', 0)
    return node
  }
  try {
    const first = await start({ bootstrapExpect: 3 })
    const join = [String(first.last('ready')?.swim)]
    const base = [first, await start({ bootstrapExpect: 3, join }), await start({ bootstrapExpect: 3, join })]
    await waitFor(() => base.every(n => n.last('operational') !== undefined) && base.some(n => n.last('role')?.role === 'Leader'), { timeoutMs: 60_000, what: 'three nodes serving' })
    const leader = base.find(n => n.last('role')?.role === 'Leader') as LockNode
    const follower = base.find(n => n !== leader) as LockNode
    const waiter = base.find(n => n !== leader && n !== follower) as LockNode

    const measure = async (node: LockNode, count: number, untimed: number): Promise<number[]> => {
      const m = await node.ask(`bench uncontended ${count} ${untimed}`, 'samples', 120_000)
      return m.samples as number[]
    }
    // The acquires and the bare entries alternate in blocks, so a change in the host's load meets both alike.
    const onLeader: number[] = []
    const onRaft: number[] = []
    const group = await BareRaftGroup.start(base, leader)
    try {
      for (let b = 0; b < blocks; b++) {
        onLeader.push(...await measure(leader, samples / blocks, b === 0 ? warmup : 0))
        onRaft.push(...await group.bench(samples / blocks, b === 0 ? warmup : 0))
      }
    } finally {
      await group.stop()
    }
    const onFollower = await measure(follower, samples, warmup)

    const failovers: number[] = []
    for (let i = 0; i < trials; i++) {
      // A fresh node holds the lock; a base node waits for it; the holder is killed.
      const holder = await start({ join })
      await holder.next('operational', 0, 60_000)
      let at = holder.messages.length
      holder.send(`acquire failover-${i} 10000`)
      const granted = await holder.next('granted', at)
      if (granted.event === 'error') throw new Error(String(granted.error))
      at = waiter.messages.length
      waiter.send(`acquire failover-${i} 10000`)
      // The waiter is queued once its acquire came back without a grant: give it a moment to reach the leader.
      await waitFor(() => waiter.messages.length > at || Date.now() > Number(granted.t) + 200, { timeoutMs: 5_000, intervalMs: 5, what: 'the waiter queued' })
      const killedAt = performance.timeOrigin + performance.now()
      holder.child.kill('SIGKILL')
      const next = await waiter.next('granted', at, 30_000)
      if (next.event === 'error') throw new Error(String(next.error))
      failovers.push(Number(next.t) - killedAt)
    }
    report({ bench: 'lock.acquire.p50', value: median(onLeader), unit: 'ms', goal: 2, better: 'lower' })
    report({ bench: 'lock.acquire.p99', value: quantile(onLeader, 0.99), unit: 'ms', better: 'lower' })
    report({ bench: 'lock.acquire.follower.p50', value: median(onFollower), unit: 'ms', better: 'lower' })
    report({ bench: 'lock.raft.p50', value: median(onRaft), unit: 'ms', better: 'lower' })
    report({ bench: 'lock.acquire.vs_raft', value: median(onLeader) / median(onRaft), unit: 'x', better: 'lower' })
    report({ bench: 'lock.failover', value: median(failovers), unit: 'ms', goal: 1_000, better: 'lower' })
    report({ bench: 'lock.failover.max', value: Math.max(...failovers), unit: 'ms', better: 'lower' })
  } finally {
    for (const n of nodes) n.child.kill('SIGKILL')
    await Promise.all(dirs.map(async d => { await rm(d, { recursive: true, force: true }) }))
  }
}
