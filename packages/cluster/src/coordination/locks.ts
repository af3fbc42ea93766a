import { randomUUID } from 'node:crypto'
import { AbortError, InvalidArgumentError, throwIfAborted, type Clock, type Logger, type TimerHandle } from '@clusterfunk/core'
import type { LockReply } from '@clusterfunk/management'
import { COORDINATION_DEFAULTS } from './constants.js'
import { CoordinationLimitError, LockBusyError, LockLostError } from './errors.js'
import type { LockEntry } from './lock-table.js'
import type { NodeCoordination } from './node.js'

/** Options of `acquire`. */
export interface AcquireOptions {
  /** How long the lease lasts without renewal (renewed automatically while held). Default 10 s. */
  ttlMs?: number
  /** Wait for the lock when it is held: `true` (up to a day), a number of ms, or `false` (default) to fail at once with `LockBusyError`. */
  wait?: boolean | number
  /** Gives up waiting (`AbortError`; the wait is withdrawn). */
  signal?: AbortSignal
}

/**
 * A held lock. Pass `token` with every write to the resource the lock
 * guards, and have the resource refuse a token lower than the highest it
 * has seen: a lease can end without its holder knowing at once (a pause
 * past its ttl, its node declared dead), and the token is what keeps a
 * late write of an old holder out.
 */
export interface Lease {
  name: string
  /** The fencing token: strictly greater than every earlier lease's on this lock. */
  token: number
  /** This lease's owner id (unique to the `acquire` call). */
  holder: string
  /** Aborted when the lease is lost (expired, node declared dead, released by an operator) or released. */
  signal: AbortSignal
  /** True while the lease is held and its last renewal is within its ttl by this node's clock. */
  valid: () => boolean
  /** Releases the lock (the next waiter is granted); stops renewing. Idempotent. */
  release: () => Promise<void>
}

/**
 * The cluster's named locks (`cluster.locks`): leases with fencing tokens
 * granted through the Raft log, renewed automatically while held, ended
 * by the leader when their holder stops renewing or its node is declared
 * dead; waiters are granted in the order they asked.
 */
export class ClusterLocks {
  private readonly node: NodeCoordination
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly held = new Set<HeldLease>()

  constructor (node: NodeCoordination, components: { clock: Clock, logger: Logger }) {
    this.node = node
    this.clock = components.clock
    this.logger = components.logger
  }

  /**
   * Takes lock `name`; with `wait`, queues behind the holder and earlier waiters.
   * @throws LockBusyError when the lock is held and the caller did not wait, or its wait ran out
   * @throws CoordinationLimitError past the number of locks or waiters; InvalidArgumentError for a bad name or ttl
   * @throws AbortError when `signal` fires first; NotStartedError; TimeoutError when no leader answered
   */
  async acquire (name: string, options: AcquireOptions = {}): Promise<Lease> {
    throwIfAborted(options.signal)
    const d = COORDINATION_DEFAULTS
    if (typeof name !== 'string' || name === '' || Buffer.byteLength(name) > d.maxLockNameBytes) throw new InvalidArgumentError(`a lock name is 1..${d.maxLockNameBytes} bytes`)
    const ttlMs = options.ttlMs ?? d.lockTtlMs
    if (!Number.isSafeInteger(ttlMs) || ttlMs < d.minLockTtlMs || ttlMs > d.maxLockTtlMs) throw new InvalidArgumentError(`ttlMs must be a whole number in ${d.minLockTtlMs}..${d.maxLockTtlMs}`)
    const waitMs = options.wait === true ? d.maxLockWaitMs : options.wait === false || options.wait === undefined ? 0 : options.wait
    if (!Number.isSafeInteger(waitMs) || waitMs < 0 || waitMs > d.maxLockWaitMs) throw new InvalidArgumentError(`wait must be a boolean or a whole number of ms up to ${d.maxLockWaitMs}`)
    const running = this.node.running()
    const owner = `${running.nodeId}/${randomUUID()}`
    const replica = running.replica
    // Listen before asking: the grant may apply here before the answer arrives.
    let settle: ((token: number | Error) => void) | undefined
    let early: number | Error | undefined
    const decided = (v: number | Error): void => { if (settle !== undefined) settle(v); else early ??= v }
    const unlisten = replica.listen({
      grant: g => { if (g.owner === owner) decided(g.token) },
      loss: l => { if (l.owner === owner && l.token === 0) decided(new LockBusyError(name, `the wait for "${name}" ended (${l.reason})`)) },
      restored: () => { const h = this.node.replica?.locks.get(name)?.holder; if (h?.owner === owner) decided(h.token) }
    })
    // This node's clock when the lease surely had not started yet: its ttl is counted from here, conservatively.
    let confirmedAt = this.clock.now()
    let token: number
    try {
      let reply: LockReply
      try {
        reply = await this.node.lockCall({ type: 'acquire', name, owner, nodeId: running.nodeId, ttlMs, waitMs }, options.signal === undefined ? {} : { signal: options.signal })
      } catch (err) {
        // The acquire may have been queued (or granted) before the abort: withdraw it.
        if (options.signal?.aborted === true) this.withdraw(name, owner)
        throw err
      }
      if (reply.outcome === 'queued') {
        token = await this.waitForGrant(name, owner, options.signal, early, s => { settle = s })
        // Granted after a wait: the lease's ttl ran from the grant, which this node only knows as "before now".
        // One renewal, sent now, gives the lease a start this node can measure its ttl from.
        confirmedAt = this.clock.now()
        const renewed = await this.node.lockCall({ type: 'renew', name, token })
        if (renewed.outcome !== 'renewed') throw new LockLostError(name, token, `the lease on "${name}" ended before its holder heard of the grant`)
      } else {
        token = grantedToken(name, reply)
      }
    } finally {
      unlisten()
    }
    const lease = new HeldLease({ locks: this, node: this.node, clock: this.clock, logger: this.logger }, { name, token, owner, ttlMs, confirmedAt })
    this.held.add(lease)
    return lease
  }

  /**
   * Ends the lease `token` on lock `name`, whoever holds it (an operator's
   * release); the next waiter is granted. Resolves false when that lease
   * was no longer held.
   */
  async release (name: string, token: number): Promise<boolean> {
    const reply = await this.node.lockCall({ type: 'release', name, token })
    return reply.outcome === 'released'
  }

  /** Every lock held or waited for, as this node's replica has them (possibly stale). */
  list (): LockEntry[] {
    return this.node.replica?.locks.list() ?? []
  }

  /** Releases every lease this node holds (the node is stopping); waits at most `timeoutMs`. */
  async releaseAll (timeoutMs: number): Promise<void> {
    const all = [...this.held]
    await Promise.all(all.map(async l => { await l.end(true, timeoutMs) }))
  }

  /** @internal a lease ended */
  forget (lease: HeldLease): void {
    this.held.delete(lease)
  }

  private async waitForGrant (name: string, owner: string, signal: AbortSignal | undefined, early: number | Error | undefined, onSettle: (s: (v: number | Error) => void) => void): Promise<number> {
    const outcome = early ?? await new Promise<number | Error>(resolve => {
      onSettle(resolve)
      signal?.addEventListener('abort', () => { resolve(new AbortError()) }, { once: true })
    })
    if (typeof outcome === 'number') return outcome
    if (outcome instanceof AbortError) this.withdraw(name, owner)
    throw outcome
  }

  /** Withdraws a wait (best effort); a grant that raced the abort is handed back. */
  private withdraw (name: string, owner: string): void {
    this.node.lockCall({ type: 'cancel', name, owner }).then(() => {
      const h = this.node.replica?.locks.get(name)?.holder
      if (h?.owner === owner) return this.node.lockCall({ type: 'release', name, token: h.token })
    }).catch(() => {})
  }
}

function grantedToken (name: string, reply: LockReply): number {
  switch (reply.outcome) {
    case 'granted': return reply.token
    case 'busy': throw new LockBusyError(name)
    case 'limit': throw new CoordinationLimitError(reply.limit, reply.message)
    default: throw new LockBusyError(name, `lock "${name}" was not granted (${reply.outcome})`)
  }
}

/** A lease this node holds: renews itself until released or lost. */
class HeldLease implements Lease {
  readonly name: string
  readonly token: number
  readonly holder: string
  private readonly ttlMs: number
  private readonly controller = new AbortController()
  private readonly c: { locks: ClusterLocks, node: NodeCoordination, clock: Clock, logger: Logger }
  /** This node's clock when it sent the last renewal the leader took (a lease is at least this old). */
  private confirmedAt: number
  private timer: TimerHandle | undefined
  private readonly unlisten: () => void

  constructor (c: HeldLease['c'], init: { name: string, token: number, owner: string, ttlMs: number, confirmedAt: number }) {
    this.c = c
    this.name = init.name
    this.token = init.token
    this.holder = init.owner
    this.ttlMs = init.ttlMs
    this.confirmedAt = init.confirmedAt
    const replica = c.node.replica
    this.unlisten = replica?.listen({
      loss: l => { if (l.owner === this.holder && l.token === this.token) this.lose(new LockLostError(this.name, this.token, `the lease on "${this.name}" ended (${l.reason})`)) }
    }) ?? (() => {})
    this.schedule()
  }

  get signal (): AbortSignal { return this.controller.signal }

  valid (): boolean {
    return !this.controller.signal.aborted && this.c.clock.now() < this.confirmedAt + this.ttlMs
  }

  async release (): Promise<void> {
    await this.end(true, COORDINATION_DEFAULTS.proposeTimeoutMs)
  }

  /** Stops renewing; with `release`, tells the leader (best effort within `timeoutMs`). */
  async end (release: boolean, timeoutMs: number): Promise<void> {
    if (this.controller.signal.aborted) return
    this.stop(new AbortError('the lease was released'))
    if (!release) return
    try {
      await this.c.node.lockCall({ type: 'release', name: this.name, token: this.token }, { timeoutMs })
    } catch (err) {
      this.c.logger.debug('lease release failed; it expires', { lock: this.name, token: this.token, error: err instanceof Error ? err.message : String(err) })
    }
  }

  private lose (reason: Error): void {
    if (this.controller.signal.aborted) return
    this.c.logger.debug('lease lost', { lock: this.name, token: this.token, error: reason.message })
    this.stop(reason)
  }

  private stop (reason: Error): void {
    if (this.timer !== undefined) this.c.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.unlisten()
    this.c.locks.forget(this)
    this.controller.abort(reason)
  }

  private schedule (): void {
    const every = Math.max(10, Math.floor(this.ttlMs * COORDINATION_DEFAULTS.renewFraction))
    this.timer = this.c.clock.setTimeout(() => { void this.renew() }, every)
    this.timer.unref?.()
  }

  private async renew (): Promise<void> {
    this.timer = undefined
    if (this.controller.signal.aborted) return
    const sentAt = this.c.clock.now()
    if (sentAt >= this.confirmedAt + this.ttlMs) {
      this.lose(new LockLostError(this.name, this.token, `the lease on "${this.name}" ran out before a renewal was confirmed`))
      return
    }
    try {
      const reply = await this.c.node.lockCall({ type: 'renew', name: this.name, token: this.token }, { timeoutMs: Math.max(1, this.confirmedAt + this.ttlMs - sentAt) })
      if (reply.outcome === 'renewed') this.confirmedAt = sentAt
      else if (reply.outcome === 'lost') this.lose(new LockLostError(this.name, this.token))
    } catch (err) {
      this.c.logger.debug('lease renewal failed', { lock: this.name, token: this.token, error: err instanceof Error ? err.message : String(err) })
    }
    if (!this.controller.signal.aborted) this.schedule()
  }
}
