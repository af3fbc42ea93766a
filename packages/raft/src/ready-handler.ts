import type { Clock, TypedEventEmitter } from '@clusterfunk/core'
import { EMPTY_CONFIGURATION, type Configuration } from './configuration.js'
import { UnknownOutcomeError } from './errors.js'
import type { Fsm } from './fsm.js'
import type { LogCache } from './log-cache.js'
import type { LogStore, StableStore } from './log-store.js'
import type { PeerLink } from './peer-link.js'
import type { PendingRequests } from './pending-requests.js'
import type { RaftCore } from './raft-core.js'
import type { RaftMetrics } from './raft-metrics.js'
import type { RaftEvents } from './raft-types.js'
import type { Ready } from './ready.js'
import type { SnapshotManager } from './snapshots.js'
import type { Entry, HardState, SnapshotMetadata } from './types.js'

export interface ReadyHandlerInit<Result> {
  readonly logStore: LogStore
  readonly stableStore: StableStore
  readonly fsm: Fsm<Result>
  readonly clock: Clock
  readonly snapshots: SnapshotManager
  readonly peers: PeerLink
  readonly pending: PendingRequests
  readonly metrics: RaftMetrics
  readonly emitter: TypedEventEmitter<RaftEvents>
  readonly heartbeatMs: number
  /** A write failed: the node stops serving. */
  readonly fail: (err: Error) => void
  /** The error for a proposal whose entry surely did not commit. */
  readonly notLeader: (message: string) => Error
}

/**
 * One Ready, strictly in order: persist (a received snapshot, the entries
 * in one synced batch, the hard state), send, restore a received snapshot
 * into the FSM, apply committed entries (settling their proposals), serve
 * the reads whose index is applied. It owns what is stored (the hard state)
 * and what is applied (index and configuration).
 */
export class ReadyHandler<Result> {
  private readonly init: ReadyHandlerInit<Result>
  private savedHardState: HardState = { term: 0, vote: undefined, commit: 0 }
  /** A commit index newer than the stored hard state's waits to be written (at most once a heartbeat). */
  private commitUnsaved = false
  private commitSavedAt = -Infinity
  private appliedIndex = 0
  private appliedConfiguration: Configuration = EMPTY_CONFIGURATION
  private configIndex = -1

  constructor (init: ReadyHandlerInit<Result>) {
    this.init = init
  }

  get savedHard (): HardState { return this.savedHardState }
  get applied (): number { return this.appliedIndex }
  get appliedConfig (): Configuration { return this.appliedConfiguration }

  /** The state loaded at start (or written by a bootstrap). */
  loaded (hard: HardState, snapshot: SnapshotMetadata): void {
    this.savedHardState = hard
    this.appliedIndex = snapshot.index
    this.appliedConfiguration = snapshot.configuration
  }

  async handle (core: RaftCore, cache: LogCache, rd: Ready, leading: boolean): Promise<void> {
    // A leader may send its appends before its own write is durable (dissertation §10.2.1): the core
    // counts the leader's own log towards a commit only after advance(). Every other message waits.
    const later = leading ? rd.messages.filter(m => m.type !== 'appendEntries' && m.type !== 'heartbeat') : rd.messages
    // A member this Ready's configuration entry adds gets its first append now, so its address must be known
    // now (otherwise it is reported unreachable and first contacted a heartbeat later).
    for (const e of rd.entries) if (e.configuration !== undefined) this.init.peers.learn(e.configuration)
    if (leading && later.length < rd.messages.length) this.init.peers.send(core, rd.messages.filter(m => m.type === 'appendEntries' || m.type === 'heartbeat'))
    await this.persist(cache, rd)
    if (rd.entries.length > 0 || rd.snapshot !== undefined) this.checkConfiguration(core)
    this.init.peers.send(core, later)
    if (rd.snapshot !== undefined) await this.restoreSnapshot(rd.snapshot)
    for (const e of rd.committedEntries) this.applyEntry(e)
    for (const rs of rd.readStates) this.init.pending.readStateAt(rs.requestId, rs.index)
    this.init.pending.settleWaiting(this.appliedIndex)
  }

  /**
   * Writes the hard state when only its commit index is newer than what is
   * stored, unsynced, outside a running loop (so it cannot overtake a synced
   * term or vote). A commit index need not be durable: a restarted node
   * learns it again; storing it only lets a lone restart apply sooner.
   */
  saveCommit (): void {
    if (!this.commitUnsaved) return
    this.commitUnsaved = false
    this.commitSavedAt = this.init.clock.now()
    this.init.stableStore.setHardState(this.savedHardState, { sync: false }).catch((err: Error) => { this.init.fail(err) })
  }

  /** At stop: writes a commit index still unsaved, and waits for it. */
  async flushCommit (): Promise<void> {
    if (!this.commitUnsaved) return
    this.commitUnsaved = false
    await this.init.stableStore.setHardState(this.savedHardState, { sync: false })
  }

  /** Emits `peer:change` when the newest configuration in the log changed. */
  checkConfiguration (core: RaftCore): void {
    const s = core.status()
    if (s.configurationIndex === this.configIndex) return
    this.configIndex = s.configurationIndex
    this.init.peers.learn(s.configuration)
    this.init.emitter.emit('peer:change', { configuration: s.configuration, index: s.configurationIndex })
  }

  private async persist (cache: LogCache, rd: Ready): Promise<void> {
    const { logStore, stableStore, snapshots, clock } = this.init
    if (rd.snapshot !== undefined) {
      await snapshots.withDisk(async () => { await logStore.clearLogs() })
      cache.installSnapshot(rd.snapshot)
    }
    const writes: Array<Promise<void>> = []
    if (rd.entries.length > 0) writes.push(snapshots.withDisk(async () => { await logStore.storeLogs(rd.entries) }))
    const hs = rd.hardState
    if (hs !== undefined) {
      if (hs.term !== this.savedHardState.term || hs.vote !== this.savedHardState.vote) {
        writes.push(stableStore.setHardState(hs, { sync: true }))
        this.commitUnsaved = false
      } else if (clock.now() - this.commitSavedAt >= this.init.heartbeatMs) {
        // Only the commit index moved: it need not be durable (a restarted node learns it again), so the
        // write is queued unsynced and not waited for, at most once a heartbeat (the tick writes the rest).
        // The store applies writes in order.
        this.commitSavedAt = clock.now()
        this.commitUnsaved = false
        stableStore.setHardState(hs, { sync: false }).catch((err: Error) => { this.init.fail(err) })
      } else {
        this.commitUnsaved = true
      }
    }
    await Promise.all(writes)
    if (rd.entries.length > 0) cache.append(rd.entries)
    if (hs !== undefined) { cache.setHardState(hs); this.savedHardState = hs; this.init.metrics.onHardState(hs) }
  }

  private applyEntry (e: Entry): void {
    let result: unknown
    let error: Error | undefined
    if (e.type === 'normal') {
      try {
        result = this.init.fsm.apply(e)
      } catch (err) {
        error = err instanceof Error ? err : new Error(String(err))
      }
    } else if (e.type === 'config' && e.configuration !== undefined) {
      this.appliedConfiguration = e.configuration
    }
    this.appliedIndex = e.index
    const s = this.init.pending.settle(e.index, e.term)
    // Another term's entry committed at this index: the proposal's entry surely did not.
    if (s.kind === 'overwritten') s.proposal.d.reject(this.init.notLeader('leadership was lost before the entry committed'))
    else if (s.kind === 'mine') {
      if (error !== undefined) s.proposal.d.reject(error)
      else {
        this.init.metrics.observeCommit(this.init.clock.now() - s.proposal.startedMs)
        s.proposal.d.resolve(result)
      }
    }
    this.init.metrics.applied.set(e.index)
  }

  private async restoreSnapshot (meta: SnapshotMetadata): Promise<void> {
    await this.init.snapshots.restoreReceived(meta, this.init.fsm)
    this.appliedIndex = meta.index
    this.appliedConfiguration = meta.configuration
    this.init.peers.learn(meta.configuration)
    // The snapshot holds whatever committed at these indexes, and this node cannot tell whether its entries did.
    for (const p of this.init.pending.proposalsUpTo(meta.index)) {
      p.d.reject(new UnknownOutcomeError(p.index, 'the entry was replaced by a snapshot from the leader; the outcome of the proposal is unknown'))
    }
  }
}
