import { InvalidArgumentError, throwIfAborted } from '@clusterfunk/core'
import { checkWrite, type StateEntry, type StateEvent } from './state-store.js'
import { CoordinationLimitError, RevisionMismatchError } from './errors.js'
import type { NodeCoordination, ProposeOptions } from './node.js'
import { watchReplica, type WatchOptions } from './watch.js'

/** Options of a write. */
export interface StateWriteOptions extends ProposeOptions {
  /** Compare-and-set: write only when the key is at this revision (0: only when it does not exist). */
  expectedRevision?: number
}

/** Options of a read: `consistent` confirms through the leader (ReadIndex) that no newer write committed first. */
export interface StateReadOptions extends ProposeOptions {
  consistent: true
}

const encoder = new TextEncoder()

/**
 * The cluster's shared state (`cluster.state`): a small key/value map in
 * the Raft log, the same on every node. Reads are local (possibly stale:
 * this node's replica may lag the leader) unless `consistent`. Writes go
 * through the leader from any node; each takes the next revision and the
 * leader's wall-clock time.
 */
export class SharedState {
  private readonly node: NodeCoordination

  constructor (node: NodeCoordination) {
    this.node = node
  }

  /** The revision of the newest write this node applied (0 before any, or when stopped). */
  get revision (): number {
    return this.node.replica?.store.revision ?? 0
  }

  /**
   * The entry of `key` on this node's replica, at once. With
   * `{ consistent: true }`, a promise of it after a ReadIndex round, so
   * every write committed before the call is seen.
   */
  get (key: string): StateEntry | undefined
  get (key: string, options: StateReadOptions): Promise<StateEntry | undefined>
  get (key: string, options?: StateReadOptions): StateEntry | undefined | Promise<StateEntry | undefined> {
    if (options?.consistent !== true) return this.node.replica?.store.get(key)
    return this.confirmed(options).then(() => this.node.replica?.store.get(key))
  }

  /** Every entry whose key starts with `prefix`, sorted by key; with `{ consistent: true }` after a ReadIndex round. */
  list (prefix?: string): StateEntry[]
  list (prefix: string, options: StateReadOptions): Promise<StateEntry[]>
  list (prefix = '', options?: StateReadOptions): StateEntry[] | Promise<StateEntry[]> {
    if (options?.consistent !== true) return this.node.replica?.store.list(prefix) ?? []
    return this.confirmed(options).then(() => this.node.replica?.store.list(prefix) ?? [])
  }

  /**
   * Sets `key` to `value` (a string is stored as UTF-8) and resolves with
   * the write's revision once it committed and applied on the leader.
   * @throws RevisionMismatchError when `expectedRevision` is not the key's revision
   * @throws CoordinationLimitError for a key, value or total past its limit
   * @throws NotStartedError, TimeoutError, AbortError; UnknownOutcomeError or UnavailableError when the write may or may not have applied
   */
  async put (key: string, value: string | Uint8Array, options: StateWriteOptions = {}): Promise<{ revision: number }> {
    throwIfAborted(options.signal)
    const bytes = typeof value === 'string' ? encoder.encode(value) : value
    checkWrite(key, bytes)
    const expected = checkExpected(options.expectedRevision)
    return this.written(key, options.expectedRevision, await this.node.stateWrite({ type: 'put', key, value: bytes, ...expected }, options))
  }

  /**
   * Removes `key` and resolves with the write's revision (deleting an absent key is a write too).
   * @throws what `put` throws
   */
  async delete (key: string, options: StateWriteOptions = {}): Promise<{ revision: number }> {
    throwIfAborted(options.signal)
    checkWrite(key, undefined)
    const expected = checkExpected(options.expectedRevision)
    return this.written(key, options.expectedRevision, await this.node.stateWrite({ type: 'delete', key, ...expected }, options))
  }

  /**
   * Every write under `prefix` as this node applies it, each once and in
   * revision order; `fromRevision` resumes from an earlier revision (from
   * the history kept). Ends when `signal` fires or the node stops.
   * @throws CompactedError when `fromRevision` is older than the history kept
   * @throws WatchOverflowError when the consumer fell too far behind (resume from its `resumeFrom`)
   */
  watch (prefix = '', options: WatchOptions = {}): AsyncGenerator<StateEvent, void, undefined> {
    return watchReplica(() => this.node.replica, prefix, options)
  }

  private async confirmed (options: ProposeOptions): Promise<void> {
    const raft = this.node.running().raft
    await raft.read(undefined, { lease: false, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(options.signal === undefined ? {} : { signal: options.signal }) })
  }

  private written (key: string, expected: number | undefined, reply: Awaited<ReturnType<NodeCoordination['stateWrite']>>): { revision: number } {
    switch (reply.outcome) {
      case 'ok': return { revision: reply.revision }
      case 'mismatch': throw new RevisionMismatchError(key, expected ?? 0, reply.actual)
      case 'limit': throw new CoordinationLimitError(reply.limit, reply.message)
    }
  }
}

function checkExpected (expected: number | undefined): { expected?: number } {
  if (expected === undefined) return {}
  if (!Number.isSafeInteger(expected) || expected < 0) throw new InvalidArgumentError('expectedRevision must be a whole number ≥ 0')
  return { expected }
}
