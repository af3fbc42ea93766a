import { type AbortOptions } from '@clusterfunk/core'
import type { CoordinationSource, LockInfo, LockReply, LockRequest, StateChange, StateRecord, StateWriteReply, StateWriteRequest } from '@clusterfunk/management'
import { lockReply, stateReply, type NodeCoordination } from './node.js'
import type { SharedState } from './state.js'

/**
 * What the management server serves of a node's shared state and locks.
 * Writes and lock calls are answered only by the leader (a follower throws
 * `NotLeaderError`, and the server forwards the call to the leader).
 */
export class NodeCoordinationSource implements CoordinationSource {
  private readonly node: NodeCoordination
  private readonly state: SharedState

  constructor (node: NodeCoordination, state: SharedState) {
    this.node = node
    this.state = state
  }

  async stateGet (key: string, options: { consistent: boolean } & AbortOptions): Promise<{ record: StateRecord | undefined, revision: number }> {
    const record = options.consistent ? await this.state.get(key, { consistent: true, ...signalOf(options) }) : this.state.get(key)
    return { record, revision: this.state.revision }
  }

  async stateList (prefix: string, options: { consistent: boolean } & AbortOptions): Promise<{ records: StateRecord[], revision: number }> {
    const records = options.consistent ? await this.state.list(prefix, { consistent: true, ...signalOf(options) }) : this.state.list(prefix)
    return { records, revision: this.state.revision }
  }

  async stateWrite (request: StateWriteRequest, options: AbortOptions = {}): Promise<StateWriteReply> {
    const op = request.type === 'put'
      ? { type: 'state-put' as const, key: request.key, value: request.value, ...(request.expected === undefined ? {} : { expected: request.expected }) }
      : { type: 'state-delete' as const, key: request.key, ...(request.expected === undefined ? {} : { expected: request.expected }) }
    return stateReply(await this.node.commitLocal(op, signalOf(options)))
  }

  stateWatch (prefix: string, fromRevision: number, options: AbortOptions): AsyncIterable<StateChange> {
    return this.state.watch(prefix, { ...(fromRevision > 0 ? { fromRevision } : {}), ...signalOf(options) })
  }

  async lockCall (request: LockRequest, options: AbortOptions = {}): Promise<LockReply> {
    return lockReply(await this.node.commitLocal(request, signalOf(options)))
  }

  async locks (): Promise<LockInfo[]> {
    return (this.node.replica?.locks.list() ?? []).map(l => ({
      name: l.name,
      holder: l.holder === undefined ? undefined : { owner: l.holder.owner, nodeId: l.holder.nodeId, token: l.holder.token, expiresAtMs: l.holder.expiresAtMs },
      waiters: l.waiters.map(w => w.owner)
    }))
  }
}

function signalOf (options: AbortOptions): { signal?: AbortSignal } {
  return options.signal === undefined ? {} : { signal: options.signal }
}
