import { InvalidArgumentError, systemClock, type Clock } from '@clusterfunk/core'
import { ShardMap } from '@clusterfunk/sharding'
import { parseHostPort } from './auth.js'
import { MANAGEMENT_DEFAULTS } from './constants.js'
import { UnknownNodeError } from './errors.js'
import { MemoryManagementSource } from './memory-source.js'
import {
  MANAGEMENT_ENDPOINT,
  type AddNodeRequest, type ClusterEvent, type ClusterRole, type ClusterState, type ClusterStatus, type LivenessStatus,
  type NodeEndpoint, type NodeSummary, type ShardSummary, type Suffrage, type SwimStatus
} from './types.js'

/** A node of a `MemoryCluster` at construction. */
export interface MemoryNodeInit {
  id: string
  /** Default `Voter`. */
  suffrage?: Suffrage
  /** Endpoint name → address. */
  endpoints?: Record<string, string>
}

/** Options of a `MemoryCluster`. */
export interface MemoryClusterInit {
  name: string
  /** Nodes that are up (SWIM and liveness alive, Operational), by id or in full. */
  nodes: ReadonlyArray<string | MemoryNodeInit>
  /** Default 10 000. */
  shardCount?: number
  /** The leader; default the first voter. */
  leader?: string
  /** Unix ms; default now. */
  createdAt?: number
  clock?: Clock
}

interface NodeRecord {
  id: string
  suffrage: Suffrage
  swim: SwimStatus
  liveness: LivenessStatus
  state: ClusterState
  endpoints: Map<string, string>
}

type Change = ClusterEvent extends infer E ? E extends ClusterEvent ? Omit<E, 'at'> : never : never

/**
 * A whole cluster held in memory, the picture a real one would report:
 * nodes with Raft suffrage, SWIM and liveness status, a leader, a shard map
 * (from @clusterfunk/sharding) recomputed as nodes come and go, endpoints,
 * and events. Each node's view is a `MemoryManagementSource` (`source(id)`)
 * that behaves like that node: followers refuse leader-only calls with
 * `NotLeaderError` naming the leader and its management endpoint. Tests
 * drive it with `join`, `leave`, `kill`, `revive`, `electLeader`,
 * `setEndpoint` and `setState`.
 */
export class MemoryCluster {
  readonly name: string
  readonly shardCount: number
  readonly createdAt: number
  private readonly clock: Clock
  private readonly records = new Map<string, NodeRecord>()
  private readonly views = new Map<string, MemoryManagementSource>()
  private leaderId: string | undefined
  private map: ShardMap
  private mapVersion = 0

  /** @throws InvalidArgumentError for duplicate ids, a bad shard count or an unknown leader */
  constructor (init: MemoryClusterInit) {
    this.name = init.name
    this.clock = init.clock ?? systemClock
    this.shardCount = init.shardCount ?? MANAGEMENT_DEFAULTS.memoryShards
    this.createdAt = init.createdAt ?? this.clock.wallNow()
    this.map = ShardMap.init(this.shardCount)
    for (const n of init.nodes) {
      const node = typeof n === 'string' ? { id: n } : n
      if (this.records.has(node.id)) throw new InvalidArgumentError(`duplicate node id ${node.id}`)
      this.records.set(node.id, {
        id: node.id, suffrage: node.suffrage ?? 'Voter', swim: 'Alive', liveness: 'Alive', state: 'Operational',
        endpoints: new Map(Object.entries(node.endpoints ?? {}))
      })
    }
    this.leaderId = init.leader ?? [...this.records.values()].find(r => r.suffrage === 'Voter')?.id
    if (this.leaderId !== undefined && this.records.get(this.leaderId)?.suffrage !== 'Voter') throw new InvalidArgumentError(`leader ${this.leaderId} is not a voter`)
    this.reshard(false)
  }

  /** Node `id`'s view, for a `ManagementServer`. @throws UnknownNodeError */
  source (id: string): MemoryManagementSource {
    this.record(id)
    let view = this.views.get(id)
    if (view === undefined) {
      view = new MemoryManagementSource(this, id)
      this.views.set(id, view)
    }
    return view
  }

  /** The current leader's id. */
  leader (): string | undefined { return this.leaderId }

  /** The committed shard map. */
  shardMap (): ShardMap { return this.map }

  /** A node as ListNodes reports it, or undefined. */
  node (id: string): NodeSummary | undefined {
    return this.nodes().find(n => n.id === id)
  }

  /** A node joins through SWIM; the leader adds it to Raft and reshards. */
  join (id: string, init: Omit<MemoryNodeInit, 'id'> = {}): void {
    const existing = this.records.get(id)
    const record: NodeRecord = existing ?? { id, suffrage: 'None', swim: 'Alive', liveness: 'Alive', state: 'Joining', endpoints: new Map() }
    record.swim = 'Alive'
    record.liveness = 'Alive'
    record.suffrage = init.suffrage ?? (record.suffrage === 'None' ? 'Voter' : record.suffrage)
    for (const [name, address] of Object.entries(init.endpoints ?? {})) record.endpoints.set(name, address)
    this.records.set(id, record)
    this.broadcast({ type: 'node:join', nodeId: id })
    this.reshard(true)
  }

  /** A node leaves gracefully (SWIM `Left`); its shards move. */
  leave (id: string): void {
    this.record(id).swim = 'Left'
    this.broadcast({ type: 'node:leave', nodeId: id })
    this.reshard(true)
  }

  /** The liveness checker declares a node dead; its shards move. */
  kill (id: string): void {
    this.record(id).liveness = 'Dead'
    this.broadcast({ type: 'node:dead', nodeId: id })
    this.reshard(true)
  }

  /** A dead node answers again; it gets its share back. */
  revive (id: string): void {
    this.record(id).liveness = 'Alive'
    this.broadcast({ type: 'node:alive', nodeId: id })
    this.reshard(true)
  }

  /** Raft elects `id` (undefined: no leader, an election is running). */
  electLeader (id: string | undefined): void {
    if (id !== undefined && this.record(id).suffrage !== 'Voter') throw new InvalidArgumentError(`${id} is not a voter`)
    const old = this.leaderId
    if (old === id) return
    this.leaderId = id
    this.broadcast(id === undefined ? { type: 'leader:change' } : { type: 'leader:change', leaderId: id })
    if (old !== undefined && this.records.has(old)) this.tell(old, { type: 'role:change', role: this.roleOf(old) })
    if (id !== undefined) this.tell(id, { type: 'role:change', role: 'Leader' })
  }

  /** Publishes (or with `undefined` withdraws) an endpoint of a node. */
  setEndpoint (id: string, name: string, address: string | undefined): void {
    const endpoints = this.record(id).endpoints
    if (address === undefined) endpoints.delete(name)
    else endpoints.set(name, address)
  }

  /** Sets a node's state and tells it. */
  setState (id: string, state: ClusterState): void {
    const record = this.record(id)
    if (record.state === state) return
    record.state = state
    this.tell(id, { type: 'state:change', state })
  }

  /** @internal GetStatus of node `id`. */
  statusOf (id: string): ClusterStatus {
    const all = [...this.records.values()]
    return {
      nodeId: id,
      ...(this.leaderId === undefined ? {} : { leaderId: this.leaderId }),
      clusterName: this.name,
      role: this.roleOf(id),
      state: this.record(id).state,
      raftMembers: all.filter(r => r.suffrage !== 'None').length,
      swimMembers: all.filter(r => r.swim === 'Alive' || r.swim === 'Suspect').length,
      shardCount: this.shardCount,
      shardMapVersion: this.mapVersion,
      createdAt: this.createdAt
    }
  }

  /** @internal Every node, sorted by id. */
  nodes (): NodeSummary[] {
    return [...this.records.values()].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0).map(r => ({
      id: r.id, suffrage: r.suffrage, swim: r.swim, liveness: r.liveness, leader: r.id === this.leaderId,
      endpoints: [...r.endpoints].sort(([a], [b]) => a < b ? -1 : 1).map(([name, address]) => ({ name, address }))
    }))
  }

  /** @internal The committed map per node. */
  shards (): ShardSummary {
    return {
      total: this.shardCount,
      mapVersion: this.mapVersion,
      replicationFactor: 1,
      nodes: this.map.nodes().map(n => ({ nodeId: n.id, shards: n.shards, percent: n.shards * 100 / this.shardCount, replicas: 0 }))
    }
  }

  /** @internal Endpoints of every node whose name contains `filter`. */
  endpoints (filter?: string): NodeEndpoint[] {
    return this.nodes().flatMap(n => n.endpoints
      .filter(e => filter === undefined || e.name.includes(filter))
      .map(e => ({ nodeId: n.id, name: e.name, address: e.address })))
  }

  /** @internal The leader's management endpoint. */
  leaderManagementAddress (): string | undefined {
    return this.leaderId === undefined ? undefined : this.records.get(this.leaderId)?.endpoints.get(MANAGEMENT_ENDPOINT)
  }

  /** @internal AddNode on the leader. */
  addNode (request: AddNodeRequest): void {
    if (request.id.trim() === '') throw new InvalidArgumentError('a node id must not be empty')
    if (parseHostPort(request.address) === undefined) throw new InvalidArgumentError(`"${request.address}" is not host:port`)
    const suffrage: Suffrage = request.nonVoter === true ? 'NonVoter' : 'Voter'
    const record = this.records.get(request.id)
    if (record === undefined) {
      this.records.set(request.id, { id: request.id, suffrage, swim: 'Unknown', liveness: 'Unknown', state: 'Starting', endpoints: new Map([['raft', request.address]]) })
    } else if (record.suffrage !== suffrage) {
      record.suffrage = suffrage
      this.tell(request.id, { type: 'role:change', role: this.roleOf(request.id) })
    }
  }

  /** @internal RemoveNode on the leader. */
  removeNode (id: string): void {
    if (!this.records.has(id)) throw new UnknownNodeError(id)
    if (id === this.leaderId) throw new InvalidArgumentError(`${id} is the leader; step down first`)
    this.records.delete(id)
    this.broadcast({ type: 'node:leave', nodeId: id })
    this.reshard(true)
  }

  /** @internal StepDown on the leader: the first other live voter by id takes over. */
  stepDown (): void {
    const next = this.nodes().find(n => n.id !== this.leaderId && n.suffrage === 'Voter' && n.swim === 'Alive' && n.liveness !== 'Dead')
    if (next === undefined) throw new InvalidArgumentError('no other voter can take over')
    this.electLeader(next.id)
  }

  private roleOf (id: string): ClusterRole {
    const suffrage = this.record(id).suffrage
    if (suffrage === 'None') return 'NonMember'
    if (id === this.leaderId) return 'Leader'
    return suffrage === 'NonVoter' ? 'NonVoter' : 'Follower'
  }

  private record (id: string): NodeRecord {
    const record = this.records.get(id)
    if (record === undefined) throw new UnknownNodeError(id)
    return record
  }

  /** Recomputes the map over the serving nodes; with `announce`, runs the Resharding → Operational cycle with its events. */
  private reshard (announce: boolean): void {
    const serving = [...this.records.values()].filter(r => r.swim === 'Alive' && r.liveness !== 'Dead').map(r => r.id)
    const next = this.map.update(serving)
    if (next.equals(this.map) && this.mapVersion > 0) return
    const live = serving.filter(id => this.records.get(id)?.state !== 'Starting')
    if (announce) for (const id of live) this.setState(id, 'Resharding')
    this.map = next
    this.mapVersion++
    if (announce) {
      this.broadcast({ type: 'shards:change', mapVersion: this.mapVersion, total: this.shardCount })
      for (const id of live) this.setState(id, 'Operational')
    }
  }

  private broadcast (change: Change): void {
    for (const id of this.views.keys()) this.tell(id, change)
  }

  private tell (id: string, change: Change): void {
    this.views.get(id)?.deliver({ ...change, at: this.clock.wallNow() } as ClusterEvent)
  }
}
