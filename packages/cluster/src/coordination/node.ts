import { randomUUID } from 'node:crypto'
import { InvalidArgumentError, NotLeaderError, NotStartedError, TimeoutError, delay, type AbortOptions, type Clock, type Logger, type TimerHandle } from '@clusterfunk/core'
import { ClientPool, UnavailableError, peerProofKey, type LockReply, type LockRequest, type ManagementClient, type ManagementClientTls, type StateWriteReply, type StateWriteRequest } from '@clusterfunk/management'
import { UnknownOutcomeError, type Raft } from '@clusterfunk/raft'
import { COORDINATION_DEFAULTS } from './constants.js'
import { decodeCoordinationCommand, encodeCoordinationCommand } from './codec.js'
import { CoordinationLimitError } from './errors.js'
import type { CoordinationReplica, CoordinationResult } from './replica.js'
import type { CoordinationOp } from './types.js'

/** What shared state and locks use of a started node. */
export interface CoordinatedNode {
  nodeId: string
  raft: Pick<Raft<void>, 'apply' | 'read' | 'stats' | 'status'>
  replica: CoordinationReplica
  /** The leader's management endpoint, when known. */
  leaderAddress: () => string | undefined
  /** The error a follower answers a leader-only call with (naming the leader and its management endpoint). */
  notLeader: () => NotLeaderError
  /** Leader: whether the node is declared dead (by the liveness checker or SWIM), so its leases end. */
  isDead: (nodeId: string) => boolean
}

/** How a node dials its leader for writes and lock calls. */
export interface NodeCoordinationInit {
  token: string | undefined
  tls: ManagementClientTls | undefined
}

/** The options of a call that goes through the log. */
export interface ProposeOptions extends AbortOptions {
  /** How long to keep trying (to find a leader, and for the entry to commit). Default 5 s. */
  timeoutMs?: number
}

const RETRY_MS = 50

/**
 * A node's access to the shared state and locks in the Raft log: appends
 * on the leader (stamped with the leader's wall clock, the outcome taken
 * from this node's replica), forwards from a follower to the leader's
 * management endpoint (proving the cluster token, with TLS when set), and
 * on the leader, appends what the lock table says is due: expiries of
 * leases past their end, cancels of waits past their deadline, and the
 * removal of every lease and wait of a node the leader declared dead.
 */
export class NodeCoordination {
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly pool: ClientPool
  private node: CoordinatedNode | undefined
  private timer: TimerHandle | undefined
  private leaderSinceMs: number | undefined
  private readonly inFlight = new Set<string>()

  constructor (components: { clock: Clock, logger: Logger }, init: NodeCoordinationInit) {
    this.clock = components.clock
    this.logger = components.logger
    this.pool = new ClientPool({
      ...(init.token === undefined ? {} : { proofKey: peerProofKey(init.token) }),
      ...(init.tls === undefined ? {} : { tls: init.tls }),
      maxClients: 2
    })
  }

  /** The node, when started. @throws NotStartedError */
  running (): CoordinatedNode {
    if (this.node === undefined) throw new NotStartedError('the cluster is not started')
    return this.node
  }

  /** The replica, when started. */
  get replica (): CoordinationReplica | undefined { return this.node?.replica }

  attach (node: CoordinatedNode): void {
    this.node = node
    this.leaderSinceMs = undefined
    this.schedule()
  }

  detach (): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.node = undefined
    this.pool.close()
  }

  /** True when this node leads the Raft group. */
  leading (): boolean {
    const raft = this.node?.raft
    return raft?.status === 'started' && raft.stats().role === 'leader'
  }

  /**
   * Leader: appends `op` and returns its outcome on this node's replica.
   * @throws NotLeaderError on a follower (naming the leader); what `Raft.apply` throws
   */
  async commitLocal (op: CoordinationOp, options: ProposeOptions = {}): Promise<CoordinationResult> {
    const node = this.running()
    if (!this.leading()) throw node.notLeader()
    const requestId = randomUUID()
    const data = encodeCoordinationCommand({ requestId, atMs: this.clock.wallNow(), op })
    // Judged by the decoder every replica applies with: an entry they would all skip is refused here.
    try {
      decodeCoordinationCommand(data)
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err))
    }
    if (!node.replica.expect(requestId)) throw new CoordinationLimitError('pending', `${COORDINATION_DEFAULTS.maxPendingResults} coordination calls wait already`)
    try {
      await node.raft.apply(data, {
        timeoutMs: options.timeoutMs ?? COORDINATION_DEFAULTS.proposeTimeoutMs, ...(options.signal === undefined ? {} : { signal: options.signal })
      })
      const result = node.replica.take(requestId)
      // The entry committed but a snapshot replaced it here before it applied: its outcome is not known.
      if (result === undefined) throw new UnknownOutcomeError(0, 'the entry applied through a snapshot')
      return result
    } catch (err) {
      if (err instanceof NotLeaderError && err.leaderAddress === undefined) throw node.notLeader()
      throw err
    } finally {
      node.replica.forget(requestId)
    }
  }

  /**
   * A shared-state write from any node: appended here when leading, else
   * sent to the leader. Retried only while it surely did not apply (no
   * leader yet, or a node that is not the leader refused it).
   */
  async stateWrite (request: StateWriteRequest, options: ProposeOptions = {}): Promise<StateWriteReply> {
    return await this.toLeader(options, false, async remaining => {
      if (this.leading()) return stateReply(await this.commitLocal(opOfWrite(request), { ...options, timeoutMs: remaining }))
      return await this.leaderClient().stateWrite(request, { timeoutMs: remaining, ...(options.signal === undefined ? {} : { signal: options.signal }) })
    })
  }

  /** A lock call from any node. Every lock call is idempotent, so it is retried until it is answered or the time is up. */
  async lockCall (request: LockRequest, options: ProposeOptions = {}): Promise<LockReply> {
    return await this.toLeader(options, true, async remaining => {
      if (this.leading()) return lockReply(await this.commitLocal(request, { ...options, timeoutMs: remaining }))
      return await this.leaderClient().lockCall(request, { timeoutMs: remaining, ...(options.signal === undefined ? {} : { signal: options.signal }) })
    })
  }

  private leaderClient (): ManagementClient {
    const address = this.running().leaderAddress()
    if (address === undefined) throw new NotLeaderError(undefined, undefined, 'no leader is known')
    return this.pool.get(address)
  }

  private async toLeader<T> (options: ProposeOptions, idempotent: boolean, call: (remainingMs: number) => Promise<T>): Promise<T> {
    const deadline = this.clock.now() + (options.timeoutMs ?? COORDINATION_DEFAULTS.proposeTimeoutMs)
    for (;;) {
      const remaining = deadline - this.clock.now()
      if (remaining <= 0) throw new TimeoutError('no leader took the call in time')
      try {
        return await call(remaining)
      } catch (err) {
        const retry = err instanceof NotLeaderError || err instanceof NotStartedError ||
          (idempotent && (err instanceof UnavailableError || err instanceof UnknownOutcomeError || err instanceof TimeoutError))
        if (!retry || options.signal?.aborted === true || this.node === undefined) throw err
        this.logger.debug('coordination call retried', { error: err instanceof Error ? err.message : String(err) })
      }
      await delay(Math.min(RETRY_MS, Math.max(0, deadline - this.clock.now())), { clock: this.clock, ...(options.signal === undefined ? {} : { signal: options.signal }) })
    }
  }

  private schedule (): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      try {
        this.expire()
      } catch (err) {
        this.logger.warn('lock expiry check failed', { error: err instanceof Error ? err.message : String(err) })
      }
      if (this.node !== undefined) this.schedule()
    }, COORDINATION_DEFAULTS.expiryCheckMs)
    this.timer.unref?.()
  }

  /** Leader: appends what is due (expiries, cancels, dead nodes' removals), each once at a time. */
  private expire (): void {
    const node = this.node
    if (node === undefined) return
    if (!this.leading()) {
      this.leaderSinceMs = undefined
      return
    }
    const now = this.clock.wallNow()
    this.leaderSinceMs ??= now
    const due: CoordinationOp[] = node.replica.locks.due(now, this.leaderSinceMs)
    for (const id of node.replica.locks.nodes()) if (node.isDead(id)) due.push({ type: 'drop-node', nodeId: id })
    for (const op of due) {
      const key = JSON.stringify(op)
      if (this.inFlight.has(key)) continue
      this.inFlight.add(key)
      this.commitLocal(op).catch((err: unknown) => {
        this.logger.debug('lock expiry not appended', { op: op.type, error: err instanceof Error ? err.message : String(err) })
      }).finally(() => { this.inFlight.delete(key) })
    }
  }
}

function opOfWrite (r: StateWriteRequest): CoordinationOp {
  return r.type === 'put'
    ? { type: 'state-put', key: r.key, value: r.value, ...(r.expected === undefined ? {} : { expected: r.expected }) }
    : { type: 'state-delete', key: r.key, ...(r.expected === undefined ? {} : { expected: r.expected }) }
}

/** The reply of a shared-state write, from its outcome on the replica. */
export function stateReply (result: CoordinationResult): StateWriteReply {
  if (result.kind !== 'state') throw new TypeError('not a shared-state outcome')
  const o = result.outcome
  if (o.ok) return { outcome: 'ok', revision: o.revision }
  return o.reason === 'mismatch' ? { outcome: 'mismatch', actual: o.actual } : { outcome: 'limit', limit: o.limit, message: o.message }
}

/** The reply of a lock call, from its outcome on the replica. */
export function lockReply (result: CoordinationResult): LockReply {
  if (result.kind !== 'lock') throw new TypeError('not a lock outcome')
  const o = result.outcome
  const reply: LockReply = { outcome: o.type, token: 0, expiresAtMs: 0, position: 0, holder: '', limit: '', message: '' }
  switch (o.type) {
    case 'granted': return { ...reply, token: o.token, expiresAtMs: o.expiresAtMs }
    case 'renewed': return { ...reply, expiresAtMs: o.expiresAtMs }
    case 'queued': return { ...reply, position: o.position, expiresAtMs: o.deadlineMs }
    case 'busy': return { ...reply, holder: o.holder, token: o.token }
    case 'limit': return { ...reply, limit: o.limit, message: o.message }
    default: return reply
  }
}
