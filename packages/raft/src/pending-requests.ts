import type { Clock } from '@clusterfunk/core'
import type { Deadlines } from './deadlines.js'
import { deferred, type Deferred } from './deferred.js'
import { ProposalLimitError } from './errors.js'
import type { RequestOptions } from './raft-types.js'

/** A proposal of this node waiting for its entry (index, term) to apply. */
export interface Proposal {
  readonly index: number
  readonly term: number
  readonly bytes: number
  readonly startedMs: number
  readonly d: Deferred<unknown>
}

interface PendingRead { index: number | undefined, readonly d: Deferred<number> }
interface Waiter { readonly until: () => boolean, readonly d: Deferred<void> }

export interface PendingRequestsInit {
  readonly clock: Clock
  readonly deadlines: Deadlines
  readonly requestTimeoutMs: number
  readonly maxUncommittedBytes: number
}

/** What became of a proposal when its index was applied. */
export type Settlement =
  | { readonly kind: 'none' }
  | { readonly kind: 'mine', readonly proposal: Proposal }
  | { readonly kind: 'overwritten', readonly proposal: Proposal }

/**
 * The requests that wait for the log: proposals (keyed by index and term),
 * reads (by request id) and waiters (a condition on the applied state).
 * Each has a deadline and an abort signal. A proposal is identified by its
 * index and term together: a proposal of a later term at the same index
 * replaces an older one (whose entry, no longer in the leader's log, can
 * never commit), and a settled proposal forgets only itself.
 */
export class PendingRequests {
  private readonly init: PendingRequestsInit
  private readonly proposals = new Map<number, Proposal>()
  private readonly reads = new Map<string, PendingRead>()
  private readonly waiters = new Set<Waiter>()
  private uncommittedBytes = 0

  constructor (init: PendingRequestsInit) {
    this.init = init
  }

  get proposalCount (): number { return this.proposals.size }

  /** Throws `ProposalLimitError` when a proposal of `bytes` would exceed the bound (one is always allowed when none waits). */
  checkRoom (bytes: number): void {
    if (this.uncommittedBytes > 0 && this.uncommittedBytes + bytes > this.init.maxUncommittedBytes) throw new ProposalLimitError(this.init.maxUncommittedBytes)
  }

  /**
   * Waits for the entry at (index, term) to apply. `displaced` rejects an
   * older proposal at the same index, whose entry the log no longer holds.
   */
  async propose (index: number, term: number, bytes: number, what: string, options: RequestOptions, displaced: () => Error): Promise<unknown> {
    // Set once the proposal is registered (an already aborted signal settles it before that).
    const registered: { p?: Proposal } = {}
    const d = deferred<unknown>({ ...this.timing(options), what, onSettle: () => { if (registered.p !== undefined) this.forget(registered.p) } })
    if (d.settled) return await d.promise
    const p: Proposal = { index, term, bytes, startedMs: this.init.clock.now(), d }
    registered.p = p
    const older = this.proposals.get(index)
    if (older !== undefined) older.d.reject(displaced())
    this.proposals.set(index, p)
    this.uncommittedBytes += bytes
    return await d.promise
  }

  /** The proposal an applied entry (index, term) answers: this node's own, one whose entry it replaced, or none. */
  settle (index: number, term: number): Settlement {
    const p = this.proposals.get(index)
    if (p === undefined) return { kind: 'none' }
    return p.term === term ? { kind: 'mine', proposal: p } : { kind: 'overwritten', proposal: p }
  }

  /** Proposals at or below `index` (a snapshot replaced their entries). */
  proposalsUpTo (index: number): Proposal[] {
    return [...this.proposals.values()].filter(p => p.index <= index)
  }

  /** Starts a read; `readStateAt` later gives it the index to wait for. */
  async read (requestId: string, options: RequestOptions): Promise<number> {
    const d = deferred<number>({ ...this.timing(options), what: 'read', onSettle: () => { this.reads.delete(requestId) } })
    this.reads.set(requestId, { index: undefined, d })
    return await d.promise
  }

  /** True while the read `requestId` waits and no answer gave it an index yet. */
  readUnanswered (requestId: string): boolean {
    const r = this.reads.get(requestId)
    return r !== undefined && r.index === undefined
  }

  readStateAt (requestId: string, index: number): void {
    const r = this.reads.get(requestId)
    if (r !== undefined) r.index = index
  }

  /** Resolves once `until()` holds (checked after every Ready). */
  async waitUntil (until: () => boolean, what: string, options: RequestOptions): Promise<void> {
    if (until()) return
    const d = deferred<void>({ ...this.timing(options), what, onSettle: () => { this.waiters.delete(w) } })
    const w: Waiter = { until, d }
    this.waiters.add(w)
    await d.promise
  }

  /** Resolves the reads whose index is applied and the waiters whose condition holds. */
  settleWaiting (applied: number): void {
    for (const r of this.reads.values()) if (r.index !== undefined && applied >= r.index) r.d.resolve(applied)
    for (const w of this.waiters) if (w.until()) w.d.resolve()
  }

  /** Rejects everything that waits with `error()`. */
  rejectAll (error: () => Error): void {
    for (const p of [...this.proposals.values()]) p.d.reject(error())
    for (const r of [...this.reads.values()]) r.d.reject(error())
    for (const w of [...this.waiters]) w.d.reject(error())
  }

  private forget (p: Proposal): void {
    if (this.proposals.get(p.index) !== p) return
    this.proposals.delete(p.index)
    this.uncommittedBytes -= p.bytes
  }

  private timing (options: RequestOptions): { clock: Clock, deadlines: Deadlines, timeoutMs: number, signal: AbortSignal | undefined } {
    return { clock: this.init.clock, deadlines: this.init.deadlines, timeoutMs: options.timeoutMs ?? this.init.requestTimeoutMs, signal: options.signal }
  }
}
