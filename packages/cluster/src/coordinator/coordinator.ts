import { InvalidConfigError, MAP_VERSIONS, nextCounter } from '@clusterfunk/core'
import { ShardMap, checkReplicationFactor, diff } from '@clusterfunk/sharding'
import type { CoordinatorSnapshot } from './codec.js'
import type {
  ClusterCommand, CoordinatorCounters, CoordinatorInit, CoordinatorOutput, CoordinatorState
} from './types.js'

const DEFAULT_SHARDS = 10_000
const DEFAULT_ACK_TIMEOUT_MS = 500
/** A node left out for a missed ack is tried again after this long, doubling while it keeps missing. */
const READMIT_FIRST_MS = 2_000
const READMIT_MAX_MS = 60_000
/** A leader that was itself stalled waits at most this many ack timeouts more before it leaves out a node that did not ack. */
export const ACK_STALL_WIDENING = 7

/** The leader's open proposal: who must ack it, who has, and until when. */
interface AckRound {
  version: number
  nodes: ReadonlySet<string>
  /** Nodes of the committed map this proposal leaves out: they may serve that map until they apply this proposal or their lease runs out. */
  leaving: ReadonlySet<string>
  acked: Set<string>
  deadline: number
  /** The deadline was moved once already for the leader's own stall. */
  widened: boolean
  /** When the lease of every node that had not applied this proposal when the leader did has run out (Infinity until the leader applied it). */
  leasesEnd: number
}

/**
 * The shard-map coordinator: a pure state machine (no I/O, no clock) that
 * every node runs beside its Raft node.
 *
 * Every node feeds it the cluster commands Raft applies, in log order
 * (`apply`), and tells it whether it is in contact with a leader. The
 * leader also feeds it the nodes fit to serve (`setCandidates`, from SWIM
 * membership and liveness verdicts), the acks it receives, and time
 * (`tick`). When the fit set differs from the map, the leader proposes a
 * new map computed from the last committed one (so the fewest shards
 * move), every node in it applies the proposal and acks, and once all
 * acked the leader appends the commit. Nodes that stay silent past the ack
 * timeout are left out and the map is proposed again without them; a
 * leader that hears no ack at all, not even its own, asks to step down.
 *
 * A node serves only when `Operational`: it holds the latest committed map
 * and no proposal is open. While a proposal is open every node is
 * `Resharding` and serves nothing, and the commit follows only after every
 * node in the map acked (applied) the proposal, so no shard ever has two
 * serving owners. A node without leader contact is `Voting` and serves
 * nothing either. Contact is a lease (`leaseMs`): a node left out of a new
 * map may still hold the old one on a lease it renewed just before, so
 * that map is committed only once each node left out acked the proposal
 * too (it owes the ack, having applied it) or its lease ran out.
 *
 * Outputs collect until `drain()`. The driver must call
 * `becomeLeader` only after this node applied every entry before its term
 * (a Raft barrier), so the leader knows the highest map version in the log.
 */
export class ShardCoordinator {
  readonly nodeId: string
  readonly shardCount: number
  readonly replicationFactor: number
  readonly ackTimeoutMs: number
  readonly leaseMs: number
  readonly counters: CoordinatorCounters = { proposals: 0, commits: 0, staleAcks: 0, staleProposals: 0, staleCommits: 0, ackTimeouts: 0, versionsExhausted: 0 }

  // Replicated state: a function of the applied log (or the snapshot it restored).
  private maxVersion = 0
  private committed?: { version: number, map: ShardMap }
  private pending?: { version: number, map: ShardMap }

  // Local state.
  private current: CoordinatorState = 'Joining'
  private leaderContact = false
  private leading = false
  private lastProposed = 0
  private candidates = new Map<string, number>()
  /** Nodes left out of the map for a missed ack, with the time each is tried again. */
  private readonly excluded = new Map<string, number>()
  /** The last wait of nodes excluded before, so a node that keeps missing acks is retried ever less often. */
  private readonly lastWait = new Map<string, number>()
  private round?: AckRound
  /** The weights of the leader's latest proposal: what it is converging to. */
  private target?: ReadonlyMap<string, number>
  private out = ShardCoordinator.emptyOutput()
  /** The committed map this node last reported serving (or being left out of), since it started. */
  private served?: { version: number, map: ShardMap }
  /**
   * Shards this node held in a role and then lost, in committed maps it
   * applied after the one it last served: its copy of such a shard may have
   * missed writes made while someone else held it, so if the map it serves
   * next gives the shard back, it is reported gained, not kept.
   */
  private readonly interrupted = { primary: new Set<number>(), replica: new Set<number>() }

  constructor (init: CoordinatorInit) {
    if (typeof init.nodeId !== 'string' || init.nodeId === '') throw new InvalidConfigError('nodeId', 'must be a non-empty string')
    this.nodeId = init.nodeId
    this.shardCount = init.shardCount ?? DEFAULT_SHARDS
    this.replicationFactor = init.replicationFactor ?? 1
    try {
      checkReplicationFactor(this.replicationFactor)
    } catch (err) {
      throw new InvalidConfigError('replicationFactor', (err as Error).message)
    }
    this.ackTimeoutMs = init.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS
    this.leaseMs = init.leaseMs ?? 0
    if (!Number.isSafeInteger(this.shardCount) || this.shardCount < 1) throw new InvalidConfigError('shardCount', 'must be a whole number above 0')
    if (!(this.ackTimeoutMs > 0)) throw new InvalidConfigError('ackTimeoutMs', 'must be above 0')
    if (!(this.leaseMs >= 0) || !Number.isFinite(this.leaseMs)) throw new InvalidConfigError('leaseMs', 'must be a finite number of ms, 0 or more')
  }

  get state (): CoordinatorState { return this.current }
  get isLeader (): boolean { return this.leading }
  /** The latest committed map and its version, if any. */
  get committedMap (): { version: number, map: ShardMap } | undefined { return this.committed }
  /** The open proposal, if any. */
  get pendingMap (): { version: number, map: ShardMap } | undefined { return this.pending }

  // ---- every node -------------------------------------------------------

  /** Applies one cluster command, in Raft log order. */
  apply (now: number, command: ClusterCommand): void {
    let replaced: ShardMap | undefined
    if (command.type === 'propose') {
      if (command.version <= this.maxVersion) {
        this.counters.staleProposals++
        return
      }
      this.maxVersion = command.version
      this.pending = { version: command.version, map: command.map }
      this.owePendingAck(now)
    } else if (this.pending !== undefined && this.pending.version === command.version) {
      replaced = this.committed?.map
      this.committed = this.pending
      this.pending = undefined
      this.out.commits.push(command.version)
    } else {
      this.counters.staleCommits++
    }
    this.updateState()
    // A committed map this node applied without serving it: what it lost on the way counts when it serves again.
    if (replaced !== undefined && this.committed !== undefined && this.committed.version !== this.served?.version) this.noteLosses(replaced, this.committed.map)
  }

  /**
   * Whether this node is in contact with a leader (or is it). Contact is a
   * lease, and more than hearing heartbeats: a round trip through the
   * leader (a Raft ReadIndex) after which this node applied every entry
   * committed before it asked, renewed within `leaseMs` of asking. Hearing
   * heartbeats is not enough: a new leader's heartbeats carry no commit
   * index beyond what it knows a follower holds, and a node whose own
   * messages are lost keeps hearing them while maps are committed without
   * it. Without contact a node is `Voting` and serves nothing.
   */
  setLeaderContact (now: number, contact: boolean): void {
    const regained = contact && !this.leaderContact
    this.leaderContact = contact
    if (regained) this.owePendingAck(now)
    this.updateState()
  }

  /** The coordinator's replicated state, for a Raft snapshot. */
  snapshot (): CoordinatorSnapshot {
    return {
      maxVersion: this.maxVersion,
      ...(this.committed === undefined ? {} : { committed: this.committed }),
      ...(this.pending === undefined ? {} : { pending: this.pending })
    }
  }

  /** Replaces the replicated state with a snapshot's (a follower catching up). */
  restore (now: number, snapshot: CoordinatorSnapshot): void {
    // The maps between the one served and the snapshot's are unknown: any shard served then may have changed hands meanwhile.
    if (this.served !== undefined && snapshot.committed?.version !== this.served.version) this.noteLosses(this.served.map, ShardMap.init(this.served.map.shardCount))
    this.maxVersion = snapshot.maxVersion
    this.committed = snapshot.committed
    this.pending = snapshot.pending
    this.owePendingAck(now)
    this.updateState()
  }

  // ---- the leader -------------------------------------------------------

  /** This node leads and has applied every entry before its term. */
  becomeLeader (now: number): void {
    this.leading = true
    this.leaderContact = true
    this.round = undefined
    this.target = undefined
    this.lastProposed = this.maxVersion
    this.reconcile(now)
    this.updateState()
  }

  /** This node no longer leads: open rounds are abandoned (the next leader starts its own). */
  loseLeadership (): void {
    this.leading = false
    this.round = undefined
    this.target = undefined
  }

  /**
   * The nodes fit to serve, with their weights (alive in membership, not
   * declared dead by the liveness checker). On the leader a change starts
   * a new proposal; on other nodes it is only remembered.
   */
  setCandidates (now: number, weights: ReadonlyMap<string, number>): void {
    this.candidates = new Map(weights)
    for (const id of this.excluded.keys()) if (!this.candidates.has(id)) this.excluded.delete(id)
    this.reconcile(now)
  }

  /** A node left out for a missed ack answers again (the liveness checker saw it): let it back in. */
  nodeAlive (now: number, id: string): void {
    if (this.excluded.delete(id)) this.reconcile(now)
  }

  /**
   * An ack of proposal `version` from node `from`: a node of the map, or a
   * node of the committed map that the proposal leaves out (it stops
   * serving once it applied the proposal, so its ack spares the leader
   * waiting out its lease). Acks for anything but the open round are
   * counted and otherwise ignored, except that a late ack from a node left
   * out for missing one proves it is alive and applying the log, so it is
   * let back in at once.
   */
  receiveAck (now: number, from: string, version: number): void {
    const round = this.round
    if (!this.leading || round === undefined || round.version !== version || !(round.nodes.has(from) || round.leaving.has(from))) {
      this.counters.staleAcks++
      if (this.leading) this.nodeAlive(now, from)
      return
    }
    round.acked.add(from)
    // The leader applied its own proposal: from now on every node that serves the old map can only do so on a lease it renewed before.
    if (from === this.nodeId) round.leasesEnd = now + this.leaseMs
    if (round.nodes.has(from)) this.lastWait.delete(from)
    this.maybeCommit(now)
  }

  /**
   * Advances time: a round past its deadline leaves the silent nodes out and
   * proposes again; a node left out is tried again once its wait is over
   * (2 s, doubling while it keeps missing acks, at most 60 s). The wait
   * matters because a node can miss its ack for good without being dead:
   * one that replays its log after a restart applies the proposal naming it
   * and the one that left it out back to back, and never owes an ack again.
   *
   * `localDelayMs` is how long this process was recently kept from running
   * (its local health). A leader that was stalled cannot tell a node's late
   * ack from its own not reading it (after a stall the deadline's timer may
   * run before the acks waiting on the socket are read), so once per round
   * it moves the deadline on by that much — at most `ACK_STALL_WIDENING`
   * ack timeouts — before it leaves anyone out.
   */
  tick (now: number, localDelayMs = 0): void {
    let readmitted = false
    for (const [id, until] of this.excluded) {
      if (now >= until) {
        this.excluded.delete(id)
        readmitted = true
      }
    }
    if (readmitted && this.round === undefined) this.reconcile(now)
    this.maybeCommit(now)
    const round = this.round
    // Every node of the map acked: only leases are left to wait out, and maybeCommit ends that.
    if (round === undefined || now < round.deadline || allAcked(round)) return
    const widenMs = Math.min(Math.max(0, localDelayMs), ACK_STALL_WIDENING * this.ackTimeoutMs)
    if (!round.widened && widenMs > 0) {
      round.widened = true
      round.deadline = now + widenMs
      return
    }
    if (![...round.nodes].some(id => round.acked.has(id))) {
      // Not even this node applied its own proposal: Raft commits nothing, so
      // this leader cannot lead. Ask once, then wait to be told it lost.
      this.out.stepDown = true
      round.deadline = Infinity
      return
    }
    this.counters.ackTimeouts++
    for (const id of round.nodes) {
      if (round.acked.has(id)) continue
      const waitMs = Math.min(READMIT_MAX_MS, 2 * (this.lastWait.get(id) ?? READMIT_FIRST_MS / 2))
      this.lastWait.set(id, waitMs)
      this.excluded.set(id, now + waitMs)
      this.out.missed.push(id)
    }
    this.round = undefined
    this.target = undefined
    this.reconcile(now)
  }

  /** Takes the outputs collected since the last call. */
  drain (): CoordinatorOutput {
    const out = this.out
    const round = this.round
    let next = round === undefined ? Infinity : allAcked(round) ? round.leasesEnd : round.deadline
    for (const until of this.excluded.values()) next = Math.min(next, until)
    out.nextTickAt = next
    this.out = ShardCoordinator.emptyOutput()
    return out
  }

  // ---- internals --------------------------------------------------------

  /**
   * Appends the commit of the open round once every node of its map acked
   * and no node left out can still serve the committed map: each of them
   * acked (it applied the proposal, so it stopped serving), or the lease
   * it may have renewed before the leader applied the proposal has run out.
   * Without that wait a node cut off one way (it hears the leader, the
   * leader does not hear it) would go on serving shards the new map gives
   * to others.
   */
  private maybeCommit (now: number): void {
    const round = this.round
    if (round === undefined || !allAcked(round)) return
    if (now < round.leasesEnd) for (const id of round.leaving) if (!round.acked.has(id)) return
    this.round = undefined
    this.out.append.push({ type: 'commit', version: round.version })
    this.counters.commits++
    this.reconcile(now)
  }

  private reconcile (now: number): void {
    if (!this.leading) return
    const desired = new Map([...this.candidates].filter(([id]) => !this.excluded.has(id)))
    if (desired.size === 0) return
    if (this.target !== undefined) {
      if (sameWeights(desired, this.target)) return
    } else if (
      this.pending === undefined && this.committed !== undefined && this.committed.map.replicationFactor === this.replicationFactor &&
      sameWeights(desired, weightsOf(this.committed.map))
    ) {
      return
    }
    const base = this.committed?.map ?? ShardMap.init(this.shardCount, undefined, { replicationFactor: this.replicationFactor })
    const last = Math.max(this.maxVersion, this.lastProposed)
    // Decoders keep versions within MAP_VERSIONS, so only a cluster that made 2^53 proposals gets here: it stops proposing, visibly.
    if (last >= MAP_VERSIONS.max) {
      this.counters.versionsExhausted++
      return
    }
    const version = nextCounter(MAP_VERSIONS, last)
    this.lastProposed = version
    this.target = desired
    const leaving = new Set((this.committed?.map.nodes() ?? []).map(n => n.id).filter(id => !desired.has(id)))
    this.round = { version, nodes: new Set(desired.keys()), leaving, acked: new Set(), deadline: now + this.ackTimeoutMs, widened: false, leasesEnd: Infinity }
    this.out.append.push({ type: 'propose', version, map: base.update(desired, { replicationFactor: this.replicationFactor }) })
    this.counters.proposals++
  }

  /** Owes (or, on the leader, counts) the ack of the open proposal when this node is in it, or in the committed map it replaces. */
  private owePendingAck (now: number): void {
    const pending = this.pending
    if (pending === undefined || !(pending.map.has(this.nodeId) || this.committed?.map.has(this.nodeId) === true)) return
    if (this.leading) this.receiveAck(now, this.nodeId, pending.version)
    else if (!this.out.acks.includes(pending.version)) this.out.acks.push(pending.version)
  }

  /**
   * Reports what this node serves when it starts serving a committed map:
   * on becoming Operational in it, compared with the map it served before
   * (nothing, the first time after start); or when a committed map leaves
   * it out while it had reported serving one (everything lost). Maps it
   * only passed through without serving (a restarted node replaying its
   * log, a node cut off from the leader) are folded into the next report.
   */
  private reportServed (): void {
    const committed = this.committed
    if (committed === undefined || committed.version === this.served?.version) return
    const serving = this.current === 'Operational'
    const leftOut = !committed.map.has(this.nodeId) && this.served !== undefined && this.served.map.has(this.nodeId)
    if (!serving && !leftOut) return
    const before = this.served?.map ?? ShardMap.init(committed.map.shardCount)
    const d = diff(before.shardCount === committed.map.shardCount ? before : ShardMap.init(committed.map.shardCount), committed.map)
    const primary = d.nodes.get(this.nodeId)
    const replica = d.replicas.get(this.nodeId)
    this.served = committed
    this.out.shards.push({
      version: committed.version,
      gained: this.regained('primary', committed.map, primary?.gained ?? []),
      lost: primary?.lost ?? [],
      replicaGained: this.regained('replica', committed.map, replica?.gained ?? []),
      replicaLost: replica?.lost ?? []
    })
    this.interrupted.primary.clear()
    this.interrupted.replica.clear()
  }

  /** Remembers the shards this node holds in `prev` in a role and not in `next` (only while a served map is behind them). */
  private noteLosses (prev: ShardMap, next: ShardMap): void {
    if (this.served === undefined || prev.shardCount !== next.shardCount) return
    for (const role of ['primary', 'replica'] as const) {
      const set = this.interrupted[role]
      for (const s of prev.shardsOf(this.nodeId, { role })) if (next.roleOf(s, this.nodeId) !== role) set.add(s)
    }
  }

  /** `gained` plus the shards held in `role` in `map` whose holding was interrupted since the map served before. */
  private regained (role: 'primary' | 'replica', map: ShardMap, gained: readonly number[]): number[] {
    const set = this.interrupted[role]
    if (set.size === 0) return [...gained]
    const all = new Set(gained)
    for (const s of map.shardsOf(this.nodeId, { role })) if (set.has(s)) all.add(s)
    return [...all].sort((a, b) => a - b)
  }

  private updateState (): void {
    const next: CoordinatorState = !this.leaderContact
      ? 'Voting'
      : this.pending !== undefined
        ? 'Resharding'
        : this.committed?.map.has(this.nodeId) === true ? 'Operational' : 'Joining'
    if (next !== this.current) {
      this.current = next
      this.out.states.push(next)
    }
    this.reportServed()
  }

  private static emptyOutput (): CoordinatorOutput {
    return { append: [], acks: [], stepDown: false, missed: [], states: [], shards: [], commits: [], nextTickAt: Infinity }
  }
}

function allAcked (round: AckRound): boolean {
  for (const id of round.nodes) if (!round.acked.has(id)) return false
  return true
}

function weightsOf (map: ShardMap): Map<string, number> {
  return new Map(map.nodes().map(n => [n.id, n.weight]))
}

function sameWeights (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false
  for (const [id, w] of a) if (b.get(id) !== w) return false
  return true
}
