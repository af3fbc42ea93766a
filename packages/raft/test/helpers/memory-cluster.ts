import { SeededRandom, waitFor } from '@clusterfunk/core'
import { MemoryLogStore, MemorySnapshotStore, Raft, type Configuration, type RaftInit } from '../../src/index.js'
import { MemoryNetwork } from '../../src/testing.js'
import { KvFsm } from './kv-fsm.js'

export interface TestNode {
  id: string
  raft: Raft<number>
  fsm: KvFsm
  store: MemoryLogStore
  snapshots: MemorySnapshotStore
}

/** Raft nodes over a `MemoryNetwork` with in-memory stores and the fast preset. */
export class MemoryCluster {
  readonly network = new MemoryNetwork()
  readonly nodes = new Map<string, TestNode>()
  private seed = 1

  /** Builds (and starts) a node; a restart passes the old stores. */
  async add (id: string, init: Partial<RaftInit> = {}, stores?: { store: MemoryLogStore, snapshots: MemorySnapshotStore }): Promise<TestNode> {
    const store = stores?.store ?? new MemoryLogStore()
    const snapshots = stores?.snapshots ?? new MemorySnapshotStore()
    const fsm = new KvFsm()
    const raft = new Raft<number>({
      transport: this.network.transport(`mem-${id}`),
      logStore: store,
      stableStore: store,
      snapshotStore: snapshots,
      fsm,
      random: new SeededRandom(this.seed++)
    }, { id, preset: 'fast', requestTimeoutMs: 5000, ...init })
    await raft.start()
    const node = { id, raft, fsm, store, snapshots }
    this.nodes.set(id, node)
    return node
  }

  /** Starts `ids` as one bootstrapped group. */
  async bootstrap (ids: string[], init: Partial<RaftInit> = {}): Promise<void> {
    const configuration: Configuration = { voters: ids.map(id => ({ id, address: `mem-${id}` })), nonVoters: [] }
    for (const id of ids) await this.add(id, init)
    for (const id of ids) await this.node(id).raft.bootstrap(configuration)
  }

  node (id: string): TestNode {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  /** Waits until exactly one started node leads and returns it. */
  async leader (timeoutMs = 5000): Promise<TestNode> {
    return await waitFor(() => {
      const leaders = [...this.nodes.values()].filter(n => n.raft.status === 'started' && n.raft.stats().role === 'leader')
      return leaders.length === 1 ? leaders[0] : undefined
    }, { timeoutMs, what: 'a single leader' })
  }

  followers (): TestNode[] {
    return [...this.nodes.values()].filter(n => n.raft.status === 'started' && n.raft.stats().role !== 'leader')
  }

  async stop (id: string): Promise<void> {
    await this.node(id).raft.stop()
  }

  async stopAll (): Promise<void> {
    for (const n of this.nodes.values()) await n.raft.stop()
  }
}
