import { SeededRandom } from '@clusterfunk/core'
import { median, printFigure, type BenchOptions, type Figure } from '@clusterfunk/core/bench'
import { MemoryStorage, RaftCore, type Message } from '../src/index.js'

interface BenchNode { core: RaftCore, storage: MemoryStorage, applied: number }

/** Three cores wired by an in-memory queue with a minimal driver loop: only the protocol's own cost is measured. */
class BenchCluster {
  readonly nodes = new Map<string, BenchNode>()
  private queue: Message[] = []

  constructor (ids: string[]) {
    const config = { voters: ids.map(id => ({ id, address: `${id}:7000` })), nonVoters: [] }
    ids.forEach((id, i) => {
      const storage = new MemoryStorage(config)
      this.nodes.set(id, { core: new RaftCore({ id, storage, random: new SeededRandom(i + 1), maxInflight: 512 }), storage, applied: 0 })
    })
  }

  /** Runs every driver loop and delivers messages until nothing moves. */
  settle (): void {
    for (;;) {
      for (const node of this.nodes.values()) {
        while (node.core.hasReady()) {
          const rd = node.core.ready()
          node.storage.append(rd.entries)
          if (rd.hardState !== undefined) node.storage.setHardState(rd.hardState)
          this.queue.push(...rd.messages)
          node.applied += rd.committedEntries.length
          node.core.advance()
        }
      }
      if (this.queue.length === 0) return
      const batch = this.queue
      this.queue = []
      for (const m of batch) this.nodes.get(m.to)?.core.step(m)
    }
  }

  leader (): RaftCore {
    const first = this.nodes.get('n1') as BenchNode
    first.core.campaign()
    this.settle()
    return first.core
  }

  minApplied (): number {
    return Math.min(...[...this.nodes.values()].map(n => n.applied))
  }
}

/**
 * Protocol-core figures for a three-node group on an in-memory queue (no
 * I/O, no encoding): the CPU cost of one proposal committed and applied
 * everywhere, and the throughput of 100-byte proposals in batches of 64.
 */
export async function run (options: BenchOptions): Promise<void> {
  const report = options.report ?? printFigure
  const rounds = options.tiny ? 20 : 5_000
  const batches = options.tiny ? 5 : 2_000
  const fig = (bench: string, value: number, unit: string, better: 'lower' | 'higher'): Figure => ({ bench, value, unit, better })
  const data = new Uint8Array(100)

  const cluster = new BenchCluster(['n1', 'n2', 'n3'])
  const leader = cluster.leader()
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint()
    leader.propose(data)
    cluster.settle()
    samples.push(Number(process.hrtime.bigint() - t0) / 1000)
  }
  report(fig('raft.core.commit.round.median', median(samples), 'us', 'lower'))

  const bulk = new BenchCluster(['n1', 'n2', 'n3'])
  const bulkLeader = bulk.leader()
  const before = bulk.minApplied()
  const t0 = process.hrtime.bigint()
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < 64; i++) bulkLeader.propose(data)
    bulk.settle()
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  report(fig('raft.core.commit.throughput', (bulk.minApplied() - before) / seconds, 'entries/s', 'higher'))
}
