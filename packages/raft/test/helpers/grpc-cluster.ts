import { SeededRandom, waitFor } from '@clusterfunk/core'
import * as grpc from '@grpc/grpc-js'
import { MemoryLogStore, MemorySnapshotStore, Raft, encodeMessage, type Message } from '../../src/index.js'
import { GrpcTransport, type GrpcTransportInit } from '../../src/grpc.js'
import { KvFsm } from './kv-fsm.js'

export interface GrpcNode {
  id: string
  raft: Raft<number>
  transport: GrpcTransport
  store: MemoryLogStore
  snapshots: MemorySnapshotStore
}

/** Raft nodes over real gRPC on 127.0.0.1 with in-memory stores (kept across restarts). */
export class GrpcCluster {
  readonly nodes = new Map<string, GrpcNode>()
  private seed = 1

  constructor (private readonly transportInit: GrpcTransportInit = {}) {}

  /** Starts a node; a restart passes the old node to reuse its stores and port. */
  async add (id: string, old?: GrpcNode): Promise<GrpcNode> {
    const store = old?.store ?? new MemoryLogStore()
    const snapshots = old?.snapshots ?? new MemorySnapshotStore()
    const port = old === undefined ? 0 : Number(old.transport.address.split(':')[1])
    const transport = new GrpcTransport({}, { ...this.transportInit, port })
    const raft = new Raft<number>({ transport, logStore: store, stableStore: store, snapshotStore: snapshots, fsm: new KvFsm(), random: new SeededRandom(this.seed++) },
      { id, preset: 'fast', requestTimeoutMs: 5000 })
    await raft.start()
    const node = { id, raft, transport, store, snapshots }
    this.nodes.set(id, node)
    return node
  }

  async bootstrap (ids: string[]): Promise<void> {
    for (const id of ids) await this.add(id)
    const voters = ids.map(id => ({ id, address: this.node(id).transport.address }))
    for (const id of ids) await this.node(id).raft.bootstrap({ voters, nonVoters: [] })
  }

  node (id: string): GrpcNode {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  async leader (timeoutMs = 10_000): Promise<GrpcNode> {
    return await waitFor(() => {
      const leaders = [...this.nodes.values()].filter(n => n.raft.status === 'started' && n.raft.stats().role === 'leader')
      return leaders.length === 1 ? leaders[0] : undefined
    }, { timeoutMs, what: 'a single leader' })
  }

  /** Waits for a leader and commits one write through it (retrying across leader changes), within `timeoutMs`. */
  async commitWrite (data: Uint8Array, timeoutMs = 15_000): Promise<number> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      try {
        const leader = await this.leader(Math.max(1, deadline - performance.now()))
        return await leader.raft.apply(data, { timeoutMs: Math.max(1, Math.min(3000, deadline - performance.now())) })
      } catch (err) {
        if (performance.now() >= deadline) throw err
      }
    }
  }

  async stopAll (): Promise<void> {
    for (const n of this.nodes.values()) await n.raft.stop()
  }
}

/** A raw gRPC client speaking the Raft service without any of the transport's own logic. */
export class RawRaftClient {
  readonly client: grpc.Client
  constructor (address: string) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure())
  }

  /** One unary Deliver call with `body` (raw bytes) and `metadata`; resolves with the status code. */
  async deliverRaw (body: Buffer, metadata = new grpc.Metadata(), timeoutMs = 5000): Promise<grpc.status> {
    return await new Promise((resolve) => {
      this.client.makeUnaryRequest('/clusterfunk.raft.RaftTransport/Deliver', (x: Buffer) => x, () => ({}), body, metadata,
        { deadline: Date.now() + timeoutMs }, (err) => { resolve(err === null ? grpc.status.OK : err.code) })
    })
  }

  async deliver (m: Message, metadata = new grpc.Metadata()): Promise<grpc.status> {
    return await this.deliverRaw(Buffer.from(encodeMessage(m)), metadata)
  }

  close (): void {
    this.client.close()
  }
}
