import { SeededRandom } from '@clusterfunk/core'
import {
  MemoryStorage, RaftCore, type Configuration, type StoredSnapshot, type Entry, type Message, type NodeId,
  type RaftCoreOptions, type ReadState, type Ready, type SoftState
} from '../../src/index.js'

/** A node under test: its core, its "disk", and what its state machine applied. */
export interface TestNode {
  core: RaftCore
  storage: MemoryStorage
  /** Committed entries applied, in order (restored from snapshots as needed). */
  applied: Entry[]
  readStates: ReadState[]
  softStates: SoftState[]
  /** Every Ready handed out, for tests that check its contents. */
  readies: Ready[]
}

export type NodeOptions = Partial<Omit<RaftCoreOptions, 'id' | 'storage' | 'random'>>

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Bytes from a string, for proposals. */
export function bytes (s: string): Uint8Array {
  return encoder.encode(s)
}

/** The string an entry carries. */
export function text (e: Entry): string {
  return decoder.decode(e.data)
}

/** A configuration whose voters (and non-voters) have addresses `<id>:7000`. */
export function configOf (voters: readonly string[], nonVoters: readonly string[] = []): Configuration {
  return { voters: voters.map(id => ({ id, address: `${id}:7000` })), nonVoters: nonVoters.map(id => ({ id, address: `${id}:7000` })) }
}

/** A normal entry, for building logs by hand. */
export function entry (index: number, term: number, data = `${index}/${term}`): Entry {
  return { index, term, type: 'normal', data: bytes(data) }
}

function encodeApplied (applied: Entry[]): Uint8Array {
  return bytes(JSON.stringify(applied.map(e => ({ ...e, data: text(e) }))))
}

function decodeApplied (data: Uint8Array): Entry[] {
  const list = JSON.parse(decoder.decode(data)) as Array<Entry & { data: string }>
  return list.map(e => ({ ...e, data: bytes(e.data) }))
}

/**
 * An in-memory network of cores: a driver loop per node (persist, send,
 * apply, advance), a message queue, and faults — random drops and cut
 * links — all deterministic from one seed. `onStep` runs after every
 * delivered message and every tick (for invariant checks).
 */
export class Network {
  readonly nodes = new Map<NodeId, TestNode>()
  readonly random: SeededRandom
  /** Messages sent and not yet delivered. */
  queue: Message[] = []
  /** Probability that a sent message is lost. */
  dropRate = 0
  /** Directed links that lose everything: `"a->b"`. */
  private readonly cut = new Set<string>()
  /** Message types dropped whatever the link. */
  readonly dropTypes = new Set<Message['type']>()
  /** Snapshots in transit: the bytes each receiver will persist. */
  private readonly incomingSnapshots = new Map<NodeId, StoredSnapshot>()
  /** The bytes streamed with each installSnapshot message, taken when it was sent. */
  private readonly streamed = new WeakMap<Message, StoredSnapshot>()
  onStep: (() => void) | undefined

  constructor (seed = 1) {
    this.random = new SeededRandom(seed)
  }

  /** A network of `voters` (plus `nonVoters`) that all start from the same configuration. */
  static create (voters: readonly string[], options: NodeOptions = {}, seed = 1, nonVoters: readonly string[] = []): Network {
    const net = new Network(seed)
    const config = configOf(voters, nonVoters)
    for (const id of [...voters, ...nonVoters]) net.add(id, new MemoryStorage(config), options)
    return net
  }

  /** Adds a node over `storage` (a restart when the storage has content). */
  add (id: NodeId, storage: MemoryStorage, options: NodeOptions = {}): TestNode {
    const core = new RaftCore({ id, storage, random: this.random.fork(), ...options })
    const applied = storage.snapshotMetadata().index > 0 ? decodeApplied(storage.snapshot().data) : []
    const node: TestNode = { core, storage, applied, readStates: [], softStates: [], readies: [] }
    this.nodes.set(id, node)
    return node
  }

  /** Simulates a crash and restart: the core is rebuilt from what was persisted. */
  restart (id: NodeId, options: NodeOptions = {}): TestNode {
    const old = this.node(id)
    const applied = old.applied
    const node = this.add(id, old.storage, { ...options, applied: applied.length === 0 ? 0 : (applied[applied.length - 1] as Entry).index })
    node.applied = applied
    // Messages in flight to the crashed node are lost; a snapshot stream that breaks is reported, as a transport would.
    for (const m of this.queue) if (m.to === id && m.type === 'installSnapshot') this.nodes.get(m.from)?.core.reportSnapshot(id, false)
    this.queue = this.queue.filter(m => m.to !== id)
    return node
  }

  node (id: NodeId): TestNode {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  core (id: NodeId): RaftCore {
    return this.node(id).core
  }

  /** Cuts the links between `a` and `b` both ways. */
  disconnect (a: NodeId, b: NodeId): void {
    this.cut.add(`${a}->${b}`)
    this.cut.add(`${b}->${a}`)
  }

  /** Cuts `id` off from every other node. */
  isolate (id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.disconnect(id, other)
  }

  /** Splits the nodes into groups that cannot talk to each other. */
  partition (...groups: NodeId[][]): void {
    for (const g of groups) for (const h of groups) if (g !== h) for (const a of g) for (const b of h) this.cut.add(`${a}->${b}`)
  }

  heal (): void {
    this.cut.clear()
  }

  /** The leader with the highest term, if any node believes it leads. */
  leader (): NodeId | undefined {
    let best: { id: NodeId, term: number } | undefined
    for (const [id, n] of this.nodes) {
      const s = n.core.status()
      if (s.role === 'leader' && (best === undefined || s.term > best.term)) best = { id, term: s.term }
    }
    return best?.id
  }

  /** Runs one node's driver loop: persist, queue messages, apply, advance; until it has nothing ready. */
  processReady (id: NodeId): void {
    const node = this.node(id)
    const core = node.core
    for (let guard = 0; core.hasReady(); guard++) {
      if (guard > 10_000) throw new Error(`node ${id} never runs out of Ready`)
      const rd = core.ready()
      node.readies.push(rd)
      if (rd.snapshot !== undefined) {
        const incoming = this.incomingSnapshots.get(id)
        if (incoming === undefined || incoming.metadata.index !== rd.snapshot.index) throw new Error(`node ${id} got a snapshot whose bytes never arrived`)
        node.storage.applySnapshot(incoming)
        node.applied = decodeApplied(incoming.data)
      }
      node.storage.append(rd.entries)
      if (rd.hardState !== undefined) node.storage.setHardState(rd.hardState)
      for (const m of rd.messages) this.send(m)
      for (const e of rd.committedEntries) {
        const last = node.applied[node.applied.length - 1]
        const expected = last === undefined ? node.storage.snapshotMetadata().index + 1 : last.index + 1
        if (e.index !== expected) throw new Error(`node ${id} was handed entry ${e.index}, expected ${expected}`)
        node.applied.push(e)
      }
      node.readStates.push(...rd.readStates)
      if (rd.softState !== undefined) node.softStates.push(rd.softState)
      core.advance()
    }
  }

  processAllReady (): void {
    for (const id of this.nodes.keys()) this.processReady(id)
  }

  private send (m: Message): void {
    if (this.cut.has(`${m.from}->${m.to}`) || this.dropTypes.has(m.type) || this.random.chance(this.dropRate)) {
      if (m.type === 'installSnapshot') this.nodes.get(m.from)?.core.reportSnapshot(m.to, false)
      return
    }
    if (m.type === 'installSnapshot') this.streamed.set(m, this.node(m.from).storage.snapshot())
    this.queue.push(m)
  }

  /** Delivers one message (and runs the receiver's driver loop). */
  deliver (m: Message): void {
    const to = this.nodes.get(m.to)
    if (to === undefined) return
    if (m.type === 'installSnapshot') {
      const stream = this.streamed.get(m)
      if (stream === undefined || stream.metadata.index !== m.snapshot.index) throw new Error('installSnapshot sent without its snapshot')
      this.incomingSnapshots.set(m.to, stream)
    }
    to.core.step(m)
    this.processReady(m.to)
    if (m.type === 'installSnapshot') {
      this.nodes.get(m.from)?.core.reportSnapshot(m.to, true)
      this.processReady(m.from)
    }
    this.onStep?.()
  }

  /**
   * Delivers queued messages (and the ones they cause) until the network is
   * quiet. When it is, each leader owed a commit flush sends it (what the
   * driver's 0 ms flush timer does), and delivery goes on.
   */
  stabilize (maxMessages = 100_000): void {
    this.processAllReady()
    let delivered = 0
    for (;;) {
      while (this.queue.length > 0) {
        const batch = this.queue
        this.queue = []
        for (const m of batch) {
          if (delivered++ > maxMessages) throw new Error('the network never settles')
          this.deliver(m)
        }
        this.processAllReady()
      }
      if (!this.flushCommits()) return
    }
  }

  /** Each leader owed a commit flush sends it; true when one did. */
  flushCommits (): boolean {
    let flushed = false
    for (const [id, n] of this.nodes) {
      if (!n.core.commitFlushDue()) continue
      n.core.flushCommit()
      this.processReady(id)
      flushed = true
    }
    return flushed
  }

  /** Delivers the queued messages in a random order, possibly dropping some, but not what they cause. */
  deliverQueued (): void {
    const batch = this.random.shuffle(this.queue)
    this.queue = []
    for (const m of batch) this.deliver(m)
  }

  tick (id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.node(id).core.tick()
      this.processReady(id)
      this.onStep?.()
    }
  }

  /** Ticks every node once. */
  tickAll (): void {
    for (const id of this.nodes.keys()) this.tick(id)
  }

  /** Ticks every node and settles the network, `rounds` times. */
  run (rounds: number): void {
    for (let i = 0; i < rounds; i++) {
      this.tickAll()
      this.stabilize()
    }
  }

  /** Makes `id` campaign and settles: it becomes leader if the others let it. */
  elect (id: NodeId): void {
    this.core(id).campaign()
    this.stabilize()
  }

  /** Proposes on `id` and settles; returns the proposal's index. */
  propose (id: NodeId, data: string): number {
    const result = this.core(id).propose(bytes(data))
    if (!result.ok) throw result.error
    this.stabilize()
    return result.index
  }

  /**
   * Node `id`'s state machine takes a snapshot at `index` (which it must have
   * applied) and its storage drops the entries it covers.
   */
  compact (id: NodeId, index: number): void {
    const node = this.node(id)
    const upTo = node.applied.filter(e => e.index <= index)
    if (upTo[upTo.length - 1]?.index !== index) throw new Error(`node ${id} has not applied ${index}`)
    const lastConfig = [...upTo].reverse().find(e => e.type === 'config')
    const configuration = lastConfig?.configuration ?? node.storage.snapshotMetadata().configuration
    node.storage.createSnapshot(index, configuration, encodeApplied(upTo))
  }

  /** The data of the normal entries node `id` applied, in order. */
  appliedData (id: NodeId): string[] {
    return this.node(id).applied.filter(e => e.type === 'normal').map(text)
  }
}
