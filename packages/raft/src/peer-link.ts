import type { Clock, TypedEventEmitter } from '@clusterfunk/core'
import { groupMessages } from './batching.js'
import { memberAddress, type Configuration, type NodeId } from './configuration.js'
import type { Message } from './messages.js'
import type { RaftCore } from './raft-core.js'
import type { RaftEvents } from './raft-types.js'
import type { SnapshotManager } from './snapshots.js'
import type { RaftTransport } from './transport.js'

export interface PeerLinkInit {
  readonly transport: RaftTransport
  readonly clock: Clock
  readonly emitter: TypedEventEmitter<RaftEvents>
  readonly snapshots: SnapshotManager
  readonly maxBatchEntries: number
  readonly electionMs: number
  /** A snapshot send finished: report it to the core (`reportSnapshot`) and run the loop. */
  readonly onSnapshotSent: (to: NodeId, ok: boolean) => void
}

/**
 * The driver's side of the transport: where each member is reached, the
 * sending of a Ready's messages (merged per follower, snapshots streamed),
 * and, on a leader, when each member last answered (the `heartbeat:failed`
 * and `heartbeat:resumed` events).
 */
export class PeerLink {
  private readonly init: PeerLinkInit
  private readonly addresses = new Map<NodeId, string>()
  /** Leader: when each member last answered, or when this node became leader (the start of its silence). */
  private readonly lastContact = new Map<NodeId, number>()
  /** Leader: the members that have answered an append or heartbeat of this leadership at all. */
  private readonly answered = new Set<NodeId>()
  private readonly failed = new Set<NodeId>()

  constructor (init: PeerLinkInit) {
    this.init = init
  }

  /** Remembers every member's address of `config`. */
  learn (config: Configuration): void {
    for (const m of [...config.voters, ...config.nonVoters]) if (m.address !== '') this.addresses.set(m.id, m.address)
  }

  addressOf (id: NodeId, config?: Configuration): string | undefined {
    return (config === undefined ? undefined : memberAddress(config, id)) ?? this.addresses.get(id)
  }

  /** An incoming message: learns the sender's address and, for an answer to the leader, its contact. */
  received (m: Message, fromAddress: string | undefined): void {
    if (fromAddress !== undefined && !this.addresses.has(m.from)) this.addresses.set(m.from, fromAddress)
    if (m.type === 'appendEntriesResponse' || m.type === 'heartbeatResponse') {
      this.lastContact.set(m.from, this.init.clock.now())
      this.answered.add(m.from)
      if (this.failed.delete(m.from)) this.init.emitter.emit('heartbeat:resumed', { nodeId: m.from })
    }
  }

  /** This node became leader: contact is counted afresh. */
  reset (): void {
    this.lastContact.clear()
    this.answered.clear()
    this.failed.clear()
  }

  /** Leader: whether `id` answered during this leadership, within the last election timeout. */
  recentlyAnswered (id: NodeId): boolean {
    const last = this.lastContact.get(id)
    return this.answered.has(id) && last !== undefined && this.init.clock.now() - last <= this.init.electionMs
  }

  /** Leader, once a heartbeat: emits `heartbeat:failed` for members silent for an election timeout. */
  checkContact (config: Configuration, selfId: NodeId): void {
    const now = this.init.clock.now()
    for (const m of [...config.voters, ...config.nonVoters]) {
      if (m.id === selfId) continue
      const last = this.lastContact.get(m.id)
      if (last === undefined) { this.lastContact.set(m.id, now); continue }
      if (now - last > this.init.electionMs && !this.failed.has(m.id)) {
        this.failed.add(m.id)
        this.init.emitter.emit('heartbeat:failed', { nodeId: m.id, lastContactMs: now - last })
      }
    }
  }

  /** Leader: milliseconds since each member last answered. */
  contactAges (): Map<NodeId, number> {
    const now = this.init.clock.now()
    const ages = new Map<NodeId, number>()
    for (const [id, t] of this.lastContact) ages.set(id, now - t)
    return ages
  }

  /** Sends `messages`: consecutive appends to one follower merged, snapshots streamed, unreachable peers reported to the core. */
  send (core: RaftCore, messages: readonly Message[]): void {
    if (messages.length === 0) return
    for (const [to, list] of groupMessages(messages, this.init.maxBatchEntries)) {
      const address = this.addresses.get(to)
      const plain: Message[] = []
      for (const m of list) {
        if (m.type === 'installSnapshot') this.init.snapshots.send(m, address, this.init.transport, (ok) => { this.init.onSnapshotSent(to, ok) })
        else plain.push(m)
      }
      if (plain.length === 0) continue
      if (address === undefined || !this.init.transport.send(to, address, plain)) core.reportUnreachable(to)
    }
  }
}
