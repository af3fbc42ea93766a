import type { Simulation } from '@clusterfunk/sim'
import { ShardCoordinator, encodeCommand, type ClusterCommand } from '../../src/index.js'

const STEP_MS = 5
/** A follower cut off from the leader this long declares contact lost (must be < the ack timeout). */
const CONTACT_LOSS_MS = 200
/**
 * The leader's failure detector (liveness): a node drops out of its view
 * after being unreachable this long without a break, and comes back once
 * reachable again for REJOIN_MS. Safety needs CONTACT_LOSS_MS < DETECT_MS:
 * a cut-off node stops serving before the leader can act on its absence.
 */
const DETECT_MS = 300
const REJOIN_MS = 100
/** A leader cut off this long is replaced (an election). */
const ELECTION_MS = 400
const ACK_RETRY_MS = 50

interface SimNode {
  id: string
  coordinator: ShardCoordinator
  applied: number
  up: boolean
  cut: boolean
  /** Since when the node is up and connected (NaN while it is not), and since when it is not (NaN while it is). */
  connectedSince: number
  disconnectedSince: number
  /** Whether the leader's failure detector counts it in. */
  detected: boolean
  /** Since when the leader is out of this node's reach (NaN while it is within). */
  unreachableSince: number
  contact: boolean
  lastAckSent: number
}

/**
 * Coordinators on virtual time over a model of Raft: one totally ordered
 * log that only the current leader appends to, applied by each node in
 * order at its own pace while it is up and not cut off; acks travel with
 * random latency and loss; a crashed node restarts from a snapshot or by
 * replaying the log. Invariants are checked after every step.
 */
export class CoordinatorCluster {
  readonly nodes: SimNode[]
  readonly log: ClusterCommand[] = []
  leader: SimNode | undefined
  private leaderLostSince = NaN
  /** Every committed map seen, by version, as bytes: at most one per version. */
  readonly committedByVersion = new Map<number, string>()
  latestCommitted = 0

  constructor (readonly sim: Simulation, ids: readonly string[], private readonly shardCount = 64) {
    this.nodes = ids.map(id => this.fresh(id))
  }

  private fresh (id: string): SimNode {
    return { id, coordinator: new ShardCoordinator({ nodeId: id, shardCount: this.shardCount }), applied: 0, up: true, cut: false, connectedSince: 0, disconnectedSince: NaN, detected: true, unreachableSince: NaN, contact: false, lastAckSent: -Infinity }
  }

  connected (n: SimNode): boolean { return n.up && !n.cut }

  crash (n: SimNode): void { n.up = false; this.disconnect(n) }
  cut (n: SimNode): void { n.cut = true; this.disconnect(n) }

  private disconnect (n: SimNode): void {
    n.connectedSince = NaN
    n.disconnectedSince = this.sim.now()
  }
  heal (n: SimNode): void { if (n.cut) { n.cut = false; if (n.up) this.reconnect(n) } }

  /** Restarts a crashed node: from a snapshot of a prefix of the log, or by replaying it from the start. */
  restart (n: SimNode, fromSnapshot: boolean): void {
    if (this.leader === n) {
      // A restarted node comes back as a follower: the cluster needs an election.
      this.leader = undefined
      this.leaderLostSince = this.sim.now()
    }
    const node = this.fresh(n.id)
    if (fromSnapshot) {
      const upTo = this.sim.random.int(0, this.log.length)
      const replay = new ShardCoordinator({ nodeId: n.id, shardCount: this.shardCount })
      for (const c of this.log.slice(0, upTo)) replay.apply(0, c)
      node.coordinator.restore(this.sim.now(), replay.snapshot())
      node.applied = upTo
    }
    // The leader's failure detector keeps its own view of the node across its restart.
    Object.assign(n, { ...node, detected: n.detected })
    n.up = true
    n.cut = false
    this.reconnect(n)
  }

  private reconnect (n: SimNode): void {
    n.connectedSince = this.sim.now()
    n.disconnectedSince = NaN
  }

  /** The failure detector's verdict on `n` at `now`. */
  private detect (n: SimNode, now: number): boolean {
    if (this.connected(n)) {
      if (!n.detected && now - n.connectedSince >= REJOIN_MS) n.detected = true
    } else if (n.detected && now - n.disconnectedSince >= DETECT_MS) {
      n.detected = false
    }
    return n.detected
  }

  /** One step of every node: apply some log, track contact, elect, feed the leader its view, time, acks. */
  step (): void {
    const now = this.sim.now()
    this.elect(now)
    for (const n of this.nodes) {
      if (!n.up) continue
      if (this.connected(n) && this.sim.random.chance(0.7) && n.applied < this.log.length) {
        n.coordinator.apply(now, this.log[n.applied] as ClusterCommand)
        n.applied++
      }
      this.trackContact(n, now)
    }
    const leader = this.leader
    if (leader !== undefined) {
      const view = new Map(this.nodes.filter(n => this.detect(n, now)).map(n => [n.id, 1]))
      leader.coordinator.setCandidates(now, view)
      for (const id of view.keys()) leader.coordinator.nodeAlive(now, id)
      leader.coordinator.tick(now)
    }
    for (const n of this.nodes) if (n.up) this.flush(n, now)
    this.check()
  }

  /** Contact is gained when the leader is reachable and the node caught up; lost CONTACT_LOSS_MS after the leader became unreachable. */
  private trackContact (n: SimNode, now: number): void {
    const reachable = this.leader !== undefined && this.connected(this.leader) && this.connected(n)
    if (reachable) {
      n.unreachableSince = NaN
      if (!n.contact && n.applied === this.log.length) {
        n.contact = true
        n.coordinator.setLeaderContact(now, true)
      }
      return
    }
    if (Number.isNaN(n.unreachableSince)) n.unreachableSince = now
    if (n.contact && now - n.unreachableSince >= CONTACT_LOSS_MS) {
      n.contact = false
      n.coordinator.setLeaderContact(now, false)
    }
  }

  private elect (now: number): void {
    const current = this.leader
    if (current !== undefined && this.connected(current)) { this.leaderLostSince = NaN; return }
    if (Number.isNaN(this.leaderLostSince)) this.leaderLostSince = now
    if (current !== undefined && now - this.leaderLostSince < ELECTION_MS) return
    current?.coordinator.loseLeadership()
    this.leader = undefined
    const eligible = this.nodes.filter(n => this.connected(n))
    if (eligible.length === 0) return
    const next = this.sim.random.pick(eligible)
    // A Raft leader holds every committed entry and applies them all (a barrier) before it acts.
    while (next.applied < this.log.length) next.coordinator.apply(now, this.log[next.applied++] as ClusterCommand)
    this.leader = next
    this.leaderLostSince = NaN
    next.contact = true
    next.coordinator.setLeaderContact(now, true)
    next.coordinator.becomeLeader(now)
  }

  private flush (n: SimNode, now: number): void {
    const out = n.coordinator.drain()
    if (n === this.leader && this.connected(n)) this.log.push(...out.append)
    if (out.stepDown && n === this.leader) {
      n.coordinator.loseLeadership()
      this.leader = undefined
      this.leaderLostSince = now - ELECTION_MS
    }
    for (const s of out.shards) this.recordCommit(s.version, n)
    // The driver's ack loop: owed acks go out now, and the open proposal's ack is resent every ACK_RETRY_MS.
    const pending = n.coordinator.pendingMap
    const due = out.acks.length > 0 || (pending !== undefined && pending.map.has(n.id) && now - n.lastAckSent >= ACK_RETRY_MS)
    if (due && pending !== undefined && n !== this.leader && n.contact) {
      n.lastAckSent = now
      const version = pending.version
      if (this.sim.random.chance(0.1)) return
      this.sim.schedule(this.sim.random.int(1, 30), () => {
        const leader = this.leader
        if (leader !== undefined && this.connected(leader) && this.connected(n)) leader.coordinator.receiveAck(this.sim.now(), n.id, version)
      })
    }
  }

  private recordCommit (version: number, n: SimNode): void {
    const map = n.coordinator.committedMap
    if (map === undefined || map.version !== version) return
    const bytes = Buffer.from(encodeCommand({ type: 'propose', version, map: map.map })).toString('base64')
    const seen = this.committedByVersion.get(version)
    if (seen !== undefined && seen !== bytes) throw new Error(`two different maps committed under version ${version}`)
    this.committedByVersion.set(version, bytes)
    this.latestCommitted = Math.max(this.latestCommitted, version)
  }

  /** The invariants: Operational nodes hold the latest committed map; no shard has two serving owners. */
  check (): void {
    const owners = new Map<number, string>()
    for (const n of this.nodes) {
      if (!n.up || n.coordinator.state !== 'Operational') continue
      const committed = n.coordinator.committedMap
      if (committed?.version !== this.latestCommitted) {
        throw new Error(`${n.id} is Operational with map version ${String(committed?.version)} while ${this.latestCommitted} is committed`)
      }
      for (const shard of committed.map.shardsOf(n.id)) {
        const other = owners.get(shard)
        if (other !== undefined) throw new Error(`shard ${shard} is served by ${other} and ${n.id}`)
        owners.set(shard, n.id)
      }
    }
  }

  /** Runs `ms` of virtual time in steps. */
  run (ms: number): void {
    const end = this.sim.now() + ms
    while (this.sim.now() < end) {
      this.step()
      this.sim.runFor(STEP_MS)
    }
  }

  /** How many shards have a serving owner right now. */
  servedShards (): number {
    const served = new Set<number>()
    for (const n of this.nodes) {
      const c = n.coordinator.committedMap
      if (n.up && n.coordinator.state === 'Operational' && c !== undefined) for (const s of c.map.shardsOf(n.id)) served.add(s)
    }
    return served.size
  }
}
