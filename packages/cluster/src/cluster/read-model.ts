import type { AbortOptions, Clock } from '@clusterfunk/core'
import { MANAGEMENT_ENDPOINT, type ClusterEvent, type ClusterReadModel, type ClusterRole, type ClusterState, type ClusterStatus, type NodeEndpoint, type NodeSummary, type ShardSummary } from '@clusterfunk/management'
import { NotLeaderError } from '@clusterfunk/core'
import { clusterVersion } from './version.js'
import type { ClusterEvents, ClusterNode, ShardView } from './types.js'

/** One event of a node, as its `events()` iterator yields it. */
export interface NodeEvent { type: keyof ClusterEvents & string, detail: ClusterEvents[keyof ClusterEvents & string] }

/** What a node shows of itself: the `Cluster` facade's read-only face. */
export interface ReadableNode {
  readonly nodeId: string
  readonly state: ClusterState
  readonly role: ClusterRole
  readonly shards: ShardView
  leader: () => string | undefined
  nodes: () => ClusterNode[]
  endpoints: (name?: string) => NodeEndpoint[]
  /** The address node `nodeId` publishes for endpoint `name`. */
  endpoint: (nodeId: string, name: string) => string | undefined
  /** Members of the Raft group and of SWIM. @throws NotStartedError when not started */
  memberCounts: () => { raft: number, swim: number }
  /** This node's Raft term, commit and applied index and voter count (absent: not reported). */
  raftStatus?: () => { term: number, commitIndex: number, appliedIndex: number, voters: number }
  events: (options?: AbortOptions) => AsyncIterableIterator<NodeEvent>
}

/** What a `NodeReadModel` says of its cluster beyond the node. */
export interface NodeReadModelInit {
  clusterName: string
  /** When the node object was made (wall clock, ms). */
  startedAt: number
}

/**
 * The management API's read model of a `Cluster` node: status, shards,
 * endpoints and events on any node; the node list on the leader only
 * (other nodes answer `NotLeaderError` naming the leader and its
 * management endpoint, so the server forwards the call).
 */
export class NodeReadModel implements ClusterReadModel {
  private readonly node: ReadableNode
  private readonly clock: Clock
  private readonly init: NodeReadModelInit

  constructor (node: ReadableNode, clock: Clock, init: NodeReadModelInit) {
    this.node = node
    this.clock = clock
    this.init = init
  }

  async status (): Promise<ClusterStatus> {
    const n = this.node
    const counts = n.memberCounts()
    const raft = n.raftStatus?.()
    const leaderId = n.leader()
    return {
      nodeId: n.nodeId,
      ...(leaderId === undefined ? {} : { leaderId }),
      clusterName: this.init.clusterName,
      role: n.role,
      state: n.state,
      raftMembers: counts.raft,
      swimMembers: counts.swim,
      shardCount: n.shards.shardCount,
      shardMapVersion: n.shards.version,
      createdAt: this.init.startedAt,
      ...(raft === undefined ? {} : { raftTerm: raft.term, raftCommitIndex: raft.commitIndex, raftAppliedIndex: raft.appliedIndex, raftVoters: raft.voters }),
      ...(clusterVersion() === '' ? {} : { version: clusterVersion() })
    }
  }

  async nodes (): Promise<NodeSummary[]> {
    if (this.node.role !== 'Leader') throw notLeader(this.node)
    return this.node.nodes().map(n => ({
      id: n.id,
      suffrage: n.suffrage,
      swim: n.swim,
      liveness: n.liveness,
      leader: n.leader,
      endpoints: Object.entries(n.endpoints).map(([name, address]) => ({ name, address })).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    }))
  }

  async shards (): Promise<ShardSummary> {
    const view = this.node.shards
    const total = view.shardCount
    const map = view.map
    if (map === undefined) return { total, mapVersion: 0, replicationFactor: 1, nodes: [] }
    const nodes = map.nodes().map(n => n.id).sort().map(nodeId => {
      const shards = map.countOf(nodeId)
      return { nodeId, shards, percent: total === 0 ? 0 : 100 * shards / total, replicas: map.countOf(nodeId, { role: 'replica' }) }
    })
    return { total, mapVersion: view.version, replicationFactor: map.replicationFactor, nodes }
  }

  async endpoints (filter?: string): Promise<NodeEndpoint[]> {
    const all = this.node.endpoints()
    return filter === undefined ? all : all.filter(e => e.name.includes(filter))
  }

  events (options: AbortOptions): AsyncIterable<ClusterEvent> {
    const source = this.node.events(options.signal === undefined ? {} : { signal: options.signal })
    const clock = this.clock
    const total = (): number => this.node.shards.shardCount
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<ClusterEvent>> => {
          for (;;) {
            const r = await source.next()
            if (r.done === true) return { done: true, value: undefined }
            // The wire format has no kind for the leader's reshard timing nor for safe bootstrap's wait: they stay local.
            const { type, detail } = r.value
            if (type === 'reshard:done' || type === 'bootstrap:waiting') continue
            return { done: false, value: toClusterEvent({ type, detail }, clock.wallNow(), total()) }
          }
        },
        return: async (): Promise<IteratorResult<ClusterEvent>> => {
          await source.return?.()
          return { done: true, value: undefined }
        }
      })
    }
  }

  leaderManagementAddress (): string | undefined {
    const leader = this.node.leader()
    return leader === undefined ? undefined : this.node.endpoint(leader, MANAGEMENT_ENDPOINT)
  }
}

/** The error a node answers a leader-only call with: the leader and its management endpoint, when known. */
export function notLeader (node: Pick<ReadableNode, 'nodeId' | 'leader' | 'endpoint'>): NotLeaderError {
  const leader = node.leader()
  if (leader === undefined || leader === node.nodeId) return new NotLeaderError(undefined, undefined)
  return new NotLeaderError(leader, node.endpoint(leader, MANAGEMENT_ENDPOINT))
}

function toClusterEvent (e: { type: Exclude<keyof ClusterEvents & string, 'reshard:done' | 'bootstrap:waiting'>, detail: ClusterEvents[keyof ClusterEvents & string] }, at: number, total: number): ClusterEvent {
  const d = e.detail as Partial<{ state: ClusterState, role: ClusterRole, leaderId: string, nodeId: string, version: number }>
  switch (e.type) {
    case 'state:change': return { type: 'state:change', at, state: d.state as ClusterState }
    case 'role:change': return { type: 'role:change', at, role: d.role as ClusterRole }
    case 'leader:change': return { type: 'leader:change', at, ...(d.leaderId === undefined ? {} : { leaderId: d.leaderId }) }
    case 'shards:change': return { type: 'shards:change', at, mapVersion: d.version ?? 0, total }
    case 'event:user': {
      const u = e.detail as ClusterEvents['event:user']
      return { type: 'event:user', at, name: u.name, payload: u.payload, ltime: u.ltime, origin: u.origin, coalesce: u.coalesce }
    }
    default: return { type: e.type, at, nodeId: d.nodeId ?? '' }
  }
}
