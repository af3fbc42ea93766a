import { COORDINATION_DEFAULTS } from './constants.js'
import { decodeCoordinationSnapshot, encodeCoordinationSnapshot } from './codec.js'
import { LockTable, type LockGrant, type LockLoss, type LockOutcome } from './lock-table.js'
import { StateStore, type StateEvent, type WriteOutcome } from './state-store.js'
import type { CoordinationCommand } from './types.js'

/** What applying one entry did: its outcome for the caller, and what it changed for everyone. */
export type CoordinationResult =
  | { kind: 'state', outcome: WriteOutcome }
  | { kind: 'lock', outcome: LockOutcome }

/** A listener of what each applied entry changed, in log order. */
export interface ReplicaListener {
  state?: (event: StateEvent) => void
  grant?: (grant: LockGrant) => void
  loss?: (loss: LockLoss) => void
  /** The replica was replaced by a snapshot: changes since the last one heard may have been skipped. */
  restored?: () => void
}

/**
 * This node's replica of the shared state and the locks, fed by the
 * cluster's Raft state machine in log order. A caller that appended an
 * entry registers its request id first (`expect`) and takes the outcome
 * after the entry applied (`take`); listeners hear every change at once,
 * in log order, and must not block.
 */
export class CoordinationReplica {
  readonly store = new StateStore()
  readonly locks = new LockTable()
  private readonly results = new Map<string, CoordinationResult | undefined>()
  private readonly listeners = new Set<ReplicaListener>()
  /** The Raft index of the last coordination entry applied (0: none). */
  appliedIndex = 0

  /** Registers `requestId`, whose outcome `take` returns once its entry applied. @returns false when too many are pending */
  expect (requestId: string): boolean {
    if (this.results.size >= COORDINATION_DEFAULTS.maxPendingResults) return false
    this.results.set(requestId, undefined)
    return true
  }

  /** The outcome of `requestId`'s entry (forgotten once taken), or undefined when it did not apply here (yet). */
  take (requestId: string): CoordinationResult | undefined {
    const result = this.results.get(requestId)
    if (result !== undefined) this.results.delete(requestId)
    return result
  }

  /** Forgets a registered request whose entry will not apply here. */
  forget (requestId: string): void {
    this.results.delete(requestId)
  }

  listen (listener: ReplicaListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Applies the entry at `index`. */
  apply (index: number, command: CoordinationCommand): CoordinationResult {
    this.appliedIndex = index
    const op = command.op
    let result: CoordinationResult
    if (op.type === 'state-put' || op.type === 'state-delete') {
      const outcome = op.type === 'state-put'
        ? this.store.put(op.key, op.value, op.expected, command.atMs)
        : this.store.delete(op.key, op.expected, command.atMs)
      result = { kind: 'state', outcome }
      if (outcome.ok) {
        const event = this.store.since(outcome.revision).at(0)
        if (event !== undefined) for (const l of this.listeners) l.state?.(event)
      }
    } else {
      const step = this.locks.apply(op, index, command.atMs)
      result = { kind: 'lock', outcome: step.outcome }
      for (const loss of step.losses) for (const l of this.listeners) l.loss?.(loss)
      for (const grant of step.grants) for (const l of this.listeners) l.grant?.(grant)
    }
    if (command.requestId !== '' && this.results.has(command.requestId)) this.results.set(command.requestId, result)
    return result
  }

  snapshot (): Uint8Array {
    return encodeCoordinationSnapshot({ state: this.store.snapshot(), locks: this.locks.snapshot() })
  }

  /** Replaces everything with a snapshot's content (none: an empty state, from a snapshot older than shared state). */
  restore (bytes: Uint8Array | undefined): void {
    const s = bytes === undefined ? { state: { revision: 0, entries: [], history: [] }, locks: [] } : decodeCoordinationSnapshot(bytes)
    this.store.restore(s.state)
    this.locks.restore(s.locks)
    for (const l of this.listeners) l.restored?.()
  }
}
