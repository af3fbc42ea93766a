import { COORDINATION_DEFAULTS } from './constants.js'

/** Who holds a lock, under which fencing token, until when (the leader's wall clock). */
export interface LockHolder {
  /** The lease's owner: a session id unique to one `acquire` call. */
  owner: string
  /** The node the owner runs on: when the leader declares it dead, the lease ends. */
  nodeId: string
  /** The fencing token: the Raft index of the entry that granted the lease. */
  token: number
  ttlMs: number
  grantedAtMs: number
  /** The lease ends at this time unless renewed (the leader's wall clock, Unix ms). */
  expiresAtMs: number
}

/** One caller queued for a lock. */
export interface LockWaiter {
  owner: string
  nodeId: string
  /** The lease it asks for once granted. */
  ttlMs: number
  queuedAtMs: number
  /** It gives up at this time (the leader's wall clock). */
  deadlineMs: number
}

/** A lock as every replica holds it: a holder, and waiters in the order they came. */
export interface LockEntry {
  name: string
  holder: LockHolder | undefined
  waiters: LockWaiter[]
}

/** A lease handed out by an entry: to a caller that asked, or to the next waiter in line. */
export interface LockGrant {
  name: string
  owner: string
  nodeId: string
  token: number
  expiresAtMs: number
}

/** A lease or a wait that ended without its owner asking: expired, its node dead, or its wait over. */
export interface LockLoss {
  name: string
  owner: string
  /** The token of the lease lost; 0 for a waiter that never held it. */
  token: number
  reason: 'expired' | 'node-dead' | 'wait-over' | 'cancelled'
}

/** What a lock command did for its caller. */
export type LockOutcome =
  | { type: 'granted', token: number, expiresAtMs: number }
  | { type: 'queued', position: number, deadlineMs: number }
  | { type: 'busy', holder: string, token: number }
  | { type: 'limit', limit: string, message: string }
  | { type: 'renewed', expiresAtMs: number }
  | { type: 'released' }
  | { type: 'lost' }
  | { type: 'done' }

/** An outcome, with every lease it handed out and every lease or wait it ended. */
export interface LockStep {
  outcome: LockOutcome
  grants: LockGrant[]
  losses: LockLoss[]
}

/** A command the lock table takes (besides the request fields every entry has: its index and the leader's time). */
export type LockCommand =
  | { type: 'acquire', name: string, owner: string, nodeId: string, ttlMs: number, waitMs: number }
  | { type: 'renew', name: string, token: number }
  | { type: 'release', name: string, token: number }
  | { type: 'cancel', name: string, owner: string }
  | { type: 'expire', name: string, token: number }
  | { type: 'drop-node', nodeId: string }

export interface LockLimits {
  maxLocks: number
  maxWaitersPerLock: number
}

/**
 * The cluster's named locks, changed in Raft log order on every replica.
 * Pure: time is the leader's wall clock stamped into each entry, tokens
 * are the entries' Raft indexes.
 *
 * Safety argument for fencing: a lease is granted only by applying an
 * entry, under that entry's index. Raft indexes of committed entries grow
 * strictly in log order and are never reused, across leaders too, so the
 * tokens of one lock grow strictly with each grant. A resource that keeps
 * the highest token it accepted and refuses lower ones accepts writes from
 * at most one lease at a time: a holder that lost its lease (a pause past
 * its ttl, its node declared dead) carries a lower token than whoever was
 * granted next.
 *
 * Waiters live in the replicated state (FIFO per lock), so a new leader
 * grants in the same order with no re-registration; a waiter whose node
 * dies is dropped with it, a waiter past its deadline is cancelled by the
 * leader, and a grant nobody renews expires after its ttl.
 */
export class LockTable {
  private readonly limits: LockLimits
  private readonly locks = new Map<string, LockEntry>()

  constructor (limits: LockLimits = COORDINATION_DEFAULTS) {
    this.limits = limits
  }

  get (name: string): LockEntry | undefined {
    return this.locks.get(name)
  }

  /** Every lock held or waited for, sorted by name. */
  list (): LockEntry[] {
    return [...this.locks.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  }

  /** Applies one command of the entry at `index`, written at `atMs` by the leader's clock. */
  apply (command: LockCommand, index: number, atMs: number): LockStep {
    switch (command.type) {
      case 'acquire': return this.acquire(command, index, atMs)
      case 'renew': return this.renew(command.name, command.token, atMs)
      case 'release': return this.end(command.name, command.token, index, atMs, undefined)
      case 'expire': return this.end(command.name, command.token, index, atMs, 'expired')
      case 'cancel': return this.cancel(command.name, command.owner, index, atMs)
      case 'drop-node': return this.dropNode(command.nodeId, index, atMs)
    }
  }

  /**
   * What the leader must append at `nowMs`: an expire for every lease past
   * its end and a cancel for every wait past its deadline. A lease is given
   * its full ttl from `graceFromMs` (when this leader took over): its
   * holder may have renewed with a leader that did not live to commit it.
   */
  due (nowMs: number, graceFromMs: number): LockCommand[] {
    const out: LockCommand[] = []
    for (const lock of this.locks.values()) {
      const h = lock.holder
      if (h !== undefined && Math.max(h.expiresAtMs, graceFromMs + h.ttlMs) <= nowMs) out.push({ type: 'expire', name: lock.name, token: h.token })
      for (const w of lock.waiters) if (w.deadlineMs <= nowMs) out.push({ type: 'cancel', name: lock.name, owner: w.owner })
    }
    return out
  }

  /** Nodes that hold or wait for a lock. */
  nodes (): Set<string> {
    const out = new Set<string>()
    for (const lock of this.locks.values()) {
      if (lock.holder !== undefined) out.add(lock.holder.nodeId)
      for (const w of lock.waiters) out.add(w.nodeId)
    }
    return out
  }

  snapshot (): LockEntry[] {
    return this.list().map(l => ({ name: l.name, holder: l.holder === undefined ? undefined : { ...l.holder }, waiters: l.waiters.map(w => ({ ...w })) }))
  }

  restore (locks: LockEntry[]): void {
    this.locks.clear()
    for (const l of locks) this.locks.set(l.name, { name: l.name, holder: l.holder === undefined ? undefined : { ...l.holder }, waiters: l.waiters.map(w => ({ ...w })) })
  }

  private acquire (c: Extract<LockCommand, { type: 'acquire' }>, index: number, atMs: number): LockStep {
    let lock = this.locks.get(c.name)
    if (lock === undefined) {
      if (this.locks.size >= this.limits.maxLocks) return step({ type: 'limit', limit: 'locks', message: `at most ${this.limits.maxLocks} locks are held or waited for at once` })
      lock = { name: c.name, holder: undefined, waiters: [] }
      this.locks.set(c.name, lock)
    }
    const h = lock.holder
    // The same owner asking again (a retried call whose first answer was lost) gets the same answer.
    if (h?.owner === c.owner) return step({ type: 'granted', token: h.token, expiresAtMs: h.expiresAtMs })
    const at = lock.waiters.findIndex(w => w.owner === c.owner)
    if (at >= 0) return step({ type: 'queued', position: at + 1, deadlineMs: lock.waiters[at]?.deadlineMs ?? atMs })
    if (h === undefined) {
      const holder = { owner: c.owner, nodeId: c.nodeId, token: index, ttlMs: c.ttlMs, grantedAtMs: atMs, expiresAtMs: atMs + c.ttlMs }
      lock.holder = holder
      return { outcome: { type: 'granted', token: index, expiresAtMs: holder.expiresAtMs }, grants: [grantOf(c.name, holder)], losses: [] }
    }
    if (c.waitMs <= 0) return step({ type: 'busy', holder: h.owner, token: h.token })
    if (lock.waiters.length >= this.limits.maxWaitersPerLock) {
      return step({ type: 'limit', limit: 'waiters', message: `lock "${c.name}" has ${this.limits.maxWaitersPerLock} waiters already` })
    }
    const deadlineMs = atMs + c.waitMs
    lock.waiters.push({ owner: c.owner, nodeId: c.nodeId, ttlMs: c.ttlMs, queuedAtMs: atMs, deadlineMs })
    return step({ type: 'queued', position: lock.waiters.length, deadlineMs })
  }

  private renew (name: string, token: number, atMs: number): LockStep {
    const h = this.locks.get(name)?.holder
    if (h === undefined || h.token !== token) return step({ type: 'lost' })
    h.expiresAtMs = Math.max(h.expiresAtMs, atMs + h.ttlMs)
    return step({ type: 'renewed', expiresAtMs: h.expiresAtMs })
  }

  /** Ends the lease `token` (released by its holder, or expired) and grants the lock to the next waiter. */
  private end (name: string, token: number, index: number, atMs: number, reason: LockLoss['reason'] | undefined): LockStep {
    const lock = this.locks.get(name)
    const h = lock?.holder
    if (lock === undefined || h === undefined || h.token !== token) return step({ type: 'lost' })
    lock.holder = undefined
    const losses: LockLoss[] = reason === undefined ? [] : [{ name, owner: h.owner, token, reason }]
    return { outcome: reason === undefined ? { type: 'released' } : { type: 'done' }, grants: this.grantNext(lock, index, atMs), losses }
  }

  private cancel (name: string, owner: string, index: number, atMs: number): LockStep {
    const lock = this.locks.get(name)
    if (lock === undefined) return step({ type: 'done' })
    const at = lock.waiters.findIndex(w => w.owner === owner)
    if (at < 0) return step({ type: 'done' })
    const [w] = lock.waiters.splice(at, 1)
    const losses: LockLoss[] = w === undefined ? [] : [{ name, owner, token: 0, reason: w.deadlineMs <= atMs ? 'wait-over' : 'cancelled' }]
    return { outcome: { type: 'done' }, grants: this.grantNext(lock, index, atMs), losses }
  }

  private dropNode (nodeId: string, index: number, atMs: number): LockStep {
    const grants: LockGrant[] = []
    const losses: LockLoss[] = []
    for (const lock of [...this.locks.values()]) {
      // Its waiters go first, so none of them is granted what its dead holder frees.
      lock.waiters = lock.waiters.filter(w => {
        if (w.nodeId !== nodeId) return true
        losses.push({ name: lock.name, owner: w.owner, token: 0, reason: 'node-dead' })
        return false
      })
      const h = lock.holder
      if (h?.nodeId === nodeId) {
        lock.holder = undefined
        losses.push({ name: lock.name, owner: h.owner, token: h.token, reason: 'node-dead' })
      }
      grants.push(...this.grantNext(lock, index, atMs))
    }
    return { outcome: { type: 'done' }, grants, losses }
  }

  /** A free lock goes to its first waiter; a lock with neither holder nor waiters is forgotten. */
  private grantNext (lock: LockEntry, index: number, atMs: number): LockGrant[] {
    if (lock.holder !== undefined) return []
    // A waiter past its deadline has given up; the leader's cancel for it may not be in the log yet.
    lock.waiters = lock.waiters.filter(w => w.deadlineMs > atMs)
    const next = lock.waiters.shift()
    if (next === undefined) {
      this.locks.delete(lock.name)
      return []
    }
    const holder = { owner: next.owner, nodeId: next.nodeId, token: index, ttlMs: next.ttlMs, grantedAtMs: atMs, expiresAtMs: atMs + next.ttlMs }
    lock.holder = holder
    return [grantOf(lock.name, holder)]
  }
}

function step (outcome: LockOutcome): LockStep {
  return { outcome, grants: [], losses: [] }
}

function grantOf (name: string, h: LockHolder): LockGrant {
  return { name, owner: h.owner, nodeId: h.nodeId, token: h.token, expiresAtMs: h.expiresAtMs }
}
