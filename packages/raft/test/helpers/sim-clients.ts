import { NotLeaderError, type Random } from '@clusterfunk/core'
import type { Simulation } from '@clusterfunk/sim'
import type { NodeId } from '../../src/index.js'
import type { KvInput, KvOutput, Operation } from '../../src/sim.js'
import type { InspectableRaft, SimCluster } from './sim-cluster.js'
import { kvCommand } from './sim-kv.js'

const KEYS = ['x', 'y', 'z']
const TIMEOUT_MS = 600

export interface ClientStats { ok: number, unknown: number, failed: number, redirects: number }

/**
 * Clients of the simulated KV store. Each issues one operation at a time
 * to the node it believes leads, follows `NotLeaderError` hints, and
 * records a history for the linearizability checker: the call and return
 * positions are a shared sequence number taken as events happen, so
 * real-time order is exact. A write whose outcome is not known (it timed
 * out, its node crashed, it was proposed but the answer was an error) is
 * recorded without a return: it may or may not have taken effect. A
 * write refused before it was proposed, and any read that fails, had no
 * effect and is left out.
 */
export class SimClients {
  readonly history: Array<Operation<KvInput, KvOutput>> = []
  readonly stats: ClientStats = { ok: 0, unknown: 0, failed: 0, redirects: 0 }
  private seq = 0
  private values = 0
  private readonly random: Random

  constructor (private readonly sim: Simulation, private readonly cluster: SimCluster) {
    this.random = sim.fork('clients')
  }

  /** Runs `count` clients until virtual time `until`; resolves when the last one finished its operation. */
  async run (count: number, until: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, async (_, client) => {
      let target: NodeId | undefined = this.random.pick(this.cluster.ids)
      while (this.sim.now() < until) {
        target = await this.execute(client, this.nextInput(client), target)
        await this.sleep(this.random.int(0, 20))
      }
    }))
  }

  private nextInput (client: number): KvInput {
    const key = this.random.pick(KEYS)
    const value = `${client}.${++this.values}`
    const r = this.random.float()
    if (r < 0.45) return { op: 'get', key }
    if (r < 0.7) return { op: 'put', key, value }
    const last = [...this.history].reverse().find(op => op.input.key === key && op.input.op !== 'get')
    const expected = last === undefined || last.input.op === 'get' ? null : (this.random.chance(0.7) ? last.input.value : null)
    return { op: 'cas', key, expected, value }
  }

  /** Tries `input` up to 8 times (following redirects); returns whom to ask next. */
  private async execute (client: number, input: KvInput, first: NodeId | undefined): Promise<NodeId | undefined> {
    let target = first
    for (let attempt = 0; attempt < 8; attempt++) {
      const node = this.cluster.node(target)
      if (node === undefined) {
        // Nobody there (crashed, or no hint): connection refused, nothing happened. Try someone else.
        target = this.random.pick(this.cluster.ids)
        await this.sleep(5)
        continue
      }
      const call = this.seq++
      let out: Awaited<ReturnType<typeof this.within<KvOutput>>>
      if (input.op === 'get') {
        out = await this.within<KvOutput>(node.raft.read(() => node.fsm.get(input.key), { timeoutMs: TIMEOUT_MS * 4 }))
      } else {
        const before = this.lastIndex(node.raft)
        const pending = node.raft.apply(kvCommand(input), { timeoutMs: TIMEOUT_MS * 4 })
        // apply() proposes synchronously: if the log did not grow, the command was refused and had no effect.
        const proposed = this.lastIndex(node.raft) > before
        out = await this.within(pending)
        if (!out.ok && proposed) {
          this.history.push({ client, input, call })
          this.stats.unknown++
          return target
        }
      }
      if (out.ok) {
        this.history.push({ client, input, call, return: this.seq++, output: out.value })
        this.stats.ok++
        return target
      }
      const err = out.error
      if (err instanceof NotLeaderError && err.leaderId !== undefined && err.leaderId !== target) {
        this.stats.redirects++
        target = err.leaderId
      } else {
        target = this.random.pick(this.cluster.ids)
        await this.sleep(10)
      }
    }
    this.stats.failed++
    return target
  }

  private lastIndex (raft: InspectableRaft): number {
    try {
      return raft.stats().lastIndex
    } catch {
      return -1
    }
  }

  /** Settles `p` or times out after `TIMEOUT_MS` of virtual time (a crashed node never answers). */
  private async within<T> (p: Promise<T>): Promise<{ ok: true, value: T } | { ok: false, error: unknown }> {
    p.catch(() => {})
    return await new Promise(resolve => {
      const timer = this.sim.setTimeout(() => { resolve({ ok: false, error: new Error('client timeout') }) }, TIMEOUT_MS)
      p.then(value => { this.sim.clearTimeout(timer); resolve({ ok: true, value }) },
        (error: unknown) => { this.sim.clearTimeout(timer); resolve({ ok: false, error }) })
    })
  }

  private async sleep (ms: number): Promise<void> {
    await new Promise<void>(resolve => { this.sim.setTimeout(resolve, ms) })
  }
}
