import type { Random } from '@clusterfunk/core'
import { MAX_STALL_WIDENING, RTT_SMOOTHING } from './constants.js'
import type { NodeAddress, NodeAliveEvent, NodeDeadEvent, NodeState, NodeStatus } from './events.js'

/** The verdict rules, validated by the caller. */
export interface TrackerOptions {
  intervalMs: number
  retries: number
  timeoutMultiplier: number
  minTimeoutMs: number
}

/** One tracked node. Read-only outside the tracker; `tag` belongs to the driver. */
export interface TrackedNode<Tag = unknown> {
  readonly id: string
  readonly address: NodeAddress
  readonly tag: Tag
  state: NodeState
  misses: number
  /** The outstanding probe's nonce (valid while `deadline` is finite). */
  nonceLo: number
  nonceHi: number
  sentAt: number
  /** When the outstanding probe times out; Infinity when none is outstanding. */
  deadline: number
  nextProbeAt: number
  rttAvgMs: number
  lastRttMs: number
  lastReplyAt: number
  deadSince: number
  index: number
}

/** What the tracker asks of its driver, synchronously, while it runs. */
export interface TrackerOutput<Tag> {
  /** Send a probe carrying `node.nonceLo/nonceHi` to `node.address`. */
  probe: (node: TrackedNode<Tag>) => void
  /** The outstanding probe of `node` timed out (one miss). */
  timeout: (node: TrackedNode<Tag>) => void
  dead: (event: NodeDeadEvent) => void
  alive: (event: NodeAliveEvent) => void
}

/** Why a reply did not count (the subset of drop reasons the tracker decides). */
export type ReplyRejection = 'wrong-node' | 'source' | 'unmatched'

/**
 * The liveness verdicts as a pure state machine: no sockets, no timers, no
 * clock. Time comes in as `now`; probes and verdicts go out through
 * `TrackerOutput`. Rules: each node is probed once per interval at its own
 * random phase (so probes spread over the interval); at most one probe per
 * node is outstanding; a probe unanswered by its deadline is a miss;
 * `retries` consecutive misses make the node dead (reported once); any valid
 * reply resets the misses and makes a node that was not alive alive (reported
 * once). The timeout is `timeoutMultiplier × average RTT`, clamped to
 * [minTimeoutMs, intervalMs]; before the first reply it is `intervalMs`.
 */
export class LivenessTracker<Tag = unknown> {
  private readonly byId = new Map<string, TrackedNode<Tag>>()
  private readonly list: Array<TrackedNode<Tag>> = []
  private dead = 0

  constructor (
    private readonly options: TrackerOptions,
    private readonly random: Random,
    private readonly output: TrackerOutput<Tag>
  ) {}

  /** Number of tracked nodes. */
  get size (): number { return this.list.length }
  /** Number of tracked nodes that are dead. */
  get deadCount (): number { return this.dead }

  /**
   * Tracks `id` at `address`, first probe at a random phase within one
   * interval, or at once with `probeNow`. Returns false (and changes
   * nothing) if it is already tracked at the same address; a new address
   * replaces the node and its state.
   */
  add (id: string, address: NodeAddress, tag: Tag, now: number, probeNow = false): boolean {
    const existing = this.byId.get(id)
    if (existing !== undefined) {
      if (existing.address.host === address.host && existing.address.port === address.port) return false
      this.remove(id)
    }
    const node: TrackedNode<Tag> = {
      id,
      address: { host: address.host, port: address.port },
      tag,
      state: 'unknown',
      misses: 0,
      nonceLo: 0,
      nonceHi: 0,
      sentAt: 0,
      deadline: Infinity,
      // A random phase, so that probes of many nodes added together spread over the interval; or due at
      // once when asked (a node that joins: its first answer is awaited), then at a random phase.
      nextProbeAt: now + (probeNow ? -1 : 1) * this.random.float() * this.options.intervalMs,
      rttAvgMs: NaN,
      lastRttMs: NaN,
      lastReplyAt: NaN,
      deadSince: NaN,
      index: this.list.length
    }
    this.byId.set(id, node)
    this.list.push(node)
    return true
  }

  /** Stops tracking `id`; no event is emitted. Returns whether it was tracked. */
  remove (id: string): boolean {
    const node = this.byId.get(id)
    if (node === undefined) return false
    this.byId.delete(id)
    const last = this.list.pop() as TrackedNode<Tag>
    if (last !== node) {
      this.list[node.index] = last
      last.index = node.index
    }
    if (node.state === 'dead') this.dead--
    return true
  }

  /** Stops tracking every node. */
  clear (): void {
    this.byId.clear()
    this.list.length = 0
    this.dead = 0
  }

  /** Forgets outstanding probes and spreads the next ones over an interval from `now` (after a restart). */
  reschedule (now: number): void {
    for (const node of this.list) {
      node.deadline = Infinity
      node.nextProbeAt = now + this.random.float() * this.options.intervalMs
    }
  }

  /**
   * Counts the misses whose deadline passed and sends the probes that fell
   * due. Returns the time something is next due (Infinity with no nodes).
   *
   * `localDelayMs` is how long this process itself was recently kept from
   * running (its local health, e.g. `LocalHealthMonitor.recentDelayMs()`):
   * a checker that was stalled for d ms cannot tell a node's silence from its
   * own d ms of not sending or reading, so each outstanding probe gets that
   * much longer (at most `MAX_STALL_WIDENING` intervals) before it counts
   * as a miss — Lifeguard's local health, applied to the verdicts.
   */
  tick (now: number, localDelayMs = 0): number {
    let next = Infinity
    const { intervalMs } = this.options
    const delay = Number.isFinite(localDelayMs) && localDelayMs > 0 ? localDelayMs : 0
    // Index loop: an output callback may add or remove nodes while we run.
    for (let i = 0; i < this.list.length; i++) {
      const node = this.list[i] as TrackedNode<Tag>
      if (node.deadline !== Infinity && node.deadline + this.grace(delay) <= now) this.miss(node, now)
      if (node.deadline === Infinity && node.nextProbeAt <= now) {
        // After a stall, skip the slots that were missed instead of bursting.
        node.nextProbeAt = Math.max(node.nextProbeAt + intervalMs, now + intervalMs / 2)
        this.send(node, now)
      }
      // With a probe out, the next thing due is its deadline (the next probe waits for it, and a reply
      // re-arms the driver); the next probe may be due sooner than that deadline (a node's first probe
      // waits a whole interval for its answer), which must not make the driver spin.
      const due = node.deadline !== Infinity ? node.deadline + this.grace(delay) : node.nextProbeAt
      if (due < next) next = due
    }
    return next
  }

  /** A reply from `host:port` for `id` with a nonce: counts it, or says why not. */
  reply (id: string, nonceLo: number, nonceHi: number, host: string, port: number, now: number): TrackedNode<Tag> | ReplyRejection {
    const node = this.byId.get(id)
    if (node === undefined) return 'wrong-node'
    if (node.address.port !== port || node.address.host !== host) return 'source'
    if (node.deadline === Infinity || node.nonceLo !== nonceLo || node.nonceHi !== nonceHi) return 'unmatched'
    const rtt = Math.max(0, now - node.sentAt)
    node.deadline = Infinity
    node.misses = 0
    node.lastRttMs = rtt
    node.lastReplyAt = now
    node.rttAvgMs = Number.isNaN(node.rttAvgMs) ? rtt : node.rttAvgMs + RTT_SMOOTHING * (rtt - node.rttAvgMs)
    if (node.state !== 'alive') {
      const previous = node.state
      const deadForMs = previous === 'dead' ? now - node.deadSince : undefined
      if (previous === 'dead') this.dead--
      node.state = 'alive'
      this.output.alive({ nodeId: node.id, address: { ...node.address }, rttMs: rtt, previous, deadForMs })
    }
    return node
  }

  /** How much longer the outstanding probe of `node` is waited for, given this process's own recent stall. */
  private grace (localDelayMs: number): number {
    if (localDelayMs === 0) return 0
    // Capped in intervals, not in the probe's adaptive timeout: with a fast network that timeout is a few ms, far below any stall.
    return Math.min(localDelayMs, MAX_STALL_WIDENING * this.options.intervalMs)
  }

  /** The timeout the next probe of `node` gets (ms). */
  timeoutFor (node: TrackedNode<Tag>): number {
    const { intervalMs, minTimeoutMs, timeoutMultiplier } = this.options
    if (Number.isNaN(node.rttAvgMs)) return intervalMs
    return Math.min(intervalMs, Math.max(minTimeoutMs, timeoutMultiplier * node.rttAvgMs))
  }

  /** The tracked node `id`, if any (for the driver; do not mutate). */
  get (id: string): TrackedNode<Tag> | undefined {
    return this.byId.get(id)
  }

  /** A snapshot of `id`, or undefined if it is not tracked. */
  status (id: string): NodeStatus | undefined {
    const node = this.byId.get(id)
    return node === undefined ? undefined : this.snapshot(node)
  }

  /** Snapshots of every tracked node. */
  nodes (): NodeStatus[] {
    return this.list.map(n => this.snapshot(n))
  }

  private send (node: TrackedNode<Tag>, now: number): void {
    // A zero nonce cannot be told from an absent field in proto3; draw again.
    do {
      node.nonceLo = this.random.uint32()
      node.nonceHi = this.random.uint32()
    } while (node.nonceLo === 0 && node.nonceHi === 0)
    node.sentAt = now
    node.deadline = now + this.timeoutFor(node)
    this.output.probe(node)
  }

  private miss (node: TrackedNode<Tag>, now: number): void {
    node.deadline = Infinity
    node.misses++
    this.output.timeout(node)
    if (node.misses >= this.options.retries && node.state !== 'dead') {
      const previous = node.state
      node.state = 'dead'
      node.deadSince = now
      this.dead++
      this.output.dead({
        nodeId: node.id,
        address: { ...node.address },
        misses: node.misses,
        previous,
        lastRttMs: Number.isNaN(node.lastRttMs) ? undefined : node.lastRttMs,
        lastReplyAt: Number.isNaN(node.lastReplyAt) ? undefined : node.lastReplyAt
      })
    }
  }

  private snapshot (node: TrackedNode<Tag>): NodeStatus {
    return {
      id: node.id,
      address: { ...node.address },
      state: node.state,
      misses: node.misses,
      lastRttMs: Number.isNaN(node.lastRttMs) ? undefined : node.lastRttMs,
      rttAvgMs: Number.isNaN(node.rttAvgMs) ? undefined : node.rttAvgMs,
      timeoutMs: this.timeoutFor(node)
    }
  }
}
