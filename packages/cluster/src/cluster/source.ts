import { InvalidArgumentError, NotLeaderError, throwIfAborted, type AbortOptions, type Clock } from '@clusterfunk/core'
import type { ShardCoordinator } from '../coordinator/coordinator.js'
import { parseHostPort, UnknownNodeError, type AddNodeRequest, type ClusterEvent, type ClusterRole, type ClusterState, type ClusterStatus, type ManagementSource, type NodeEndpoint, type NodeSummary, type ShardSummary } from '@clusterfunk/management'
import type { ClusterParts } from './parts.js'
import type { ClusterEvents, ClusterNode } from './types.js'

/** What the management source reads from its cluster node. */
export interface SourceHost {
  readonly clusterName: string
  readonly startedAt: number
  readonly clock: Clock
  nodeId: () => string
  state: () => ClusterState
  role: () => ClusterRole
  leader: () => string | undefined
  /** The parts of the started node; throws NotStartedError otherwise. */
  parts: () => ClusterParts
  coordinator: () => ShardCoordinator | undefined
  /** Whether this node leads and has taken over the coordinator (after its barrier). */
  leading: () => boolean
  nodes: () => ClusterNode[]
  endpoints: (name?: string) => NodeEndpoint[]
  managementAddressOf: (id: string | undefined) => string | undefined
  events: (signal: AbortSignal | undefined) => AsyncIterable<{ type: keyof ClusterEvents & string, detail: ClusterEvents[keyof ClusterEvents & string] }>
  /** A shard-map proposal was acked by a node the coordinator was not waiting for: it may have been left out. */
  wake: () => void
}

/**
 * The `ManagementSource` of a `Cluster` node: what its `ManagementServer`
 * (and so `funkctl`) reads and asks. Any node answers status, shards,
 * endpoints and events; nodes, add, remove, step-down and acks are the
 * leader's, and other nodes answer `NotLeaderError` naming the leader and
 * its management endpoint.
 */
export class ClusterManagementSource implements ManagementSource {
  private readonly host: SourceHost

  constructor (host: SourceHost) {
    this.host = host
  }

  async status (): Promise<ClusterStatus> {
    const h = this.host
    const p = h.parts()
    const config = p.raft.configuration()
    const committed = h.coordinator()?.committedMap
    const leaderId = h.leader()
    return {
      nodeId: h.nodeId(),
      ...(leaderId === undefined ? {} : { leaderId }),
      clusterName: h.clusterName,
      role: h.role(),
      state: h.state(),
      raftMembers: config.voters.length + config.nonVoters.length,
      swimMembers: p.swim.members().length,
      shardCount: h.coordinator()?.shardCount ?? 0,
      shardMapVersion: committed?.version ?? 0,
      createdAt: h.startedAt
    }
  }

  async nodes (): Promise<NodeSummary[]> {
    this.requireLeader()
    return this.host.nodes().map(n => ({
      id: n.id,
      suffrage: n.suffrage,
      swim: n.swim,
      liveness: n.liveness,
      leader: n.leader,
      endpoints: Object.entries(n.endpoints).map(([name, address]) => ({ name, address })).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    }))
  }

  async shards (): Promise<ShardSummary> {
    const coordinator = this.host.coordinator()
    const committed = coordinator?.committedMap
    const total = coordinator?.shardCount ?? 0
    if (committed === undefined) return { total, mapVersion: 0, nodes: [] }
    const nodes = committed.map.nodes().map(n => n.id).sort().map(nodeId => {
      const shards = committed.map.countOf(nodeId)
      return { nodeId, shards, percent: total === 0 ? 0 : 100 * shards / total }
    })
    return { total, mapVersion: committed.version, nodes }
  }

  async endpoints (filter?: string): Promise<NodeEndpoint[]> {
    const all = this.host.endpoints()
    return filter === undefined ? all : all.filter(e => e.name.includes(filter))
  }

  async addNode (request: AddNodeRequest, options: AbortOptions = {}): Promise<void> {
    throwIfAborted(options.signal)
    this.requireLeader()
    if (request.id === '') throw new InvalidArgumentError('a node id is required')
    if (parseHostPort(request.address) === undefined) throw new InvalidArgumentError(`"${request.address}" is not host:port`)
    const raft = this.host.parts().raft
    const opts = options.signal === undefined ? {} : { signal: options.signal }
    if (request.nonVoter === true) await raft.addNonVoter(request.id, request.address, opts)
    else await raft.addVoter(request.id, request.address, opts)
  }

  async removeNode (id: string, options: AbortOptions = {}): Promise<void> {
    throwIfAborted(options.signal)
    this.requireLeader()
    const raft = this.host.parts().raft
    const config = raft.configuration()
    if (![...config.voters, ...config.nonVoters].some(m => m.id === id)) throw new UnknownNodeError(id)
    if (id === this.host.nodeId()) throw new InvalidArgumentError('the leader cannot remove itself: step down first')
    await raft.removeServer(id, options.signal === undefined ? {} : { signal: options.signal })
  }

  async stepDown (options: AbortOptions = {}): Promise<void> {
    throwIfAborted(options.signal)
    this.requireLeader()
    await this.host.parts().raft.transferLeadership(undefined, options.signal === undefined ? {} : { signal: options.signal })
  }

  async ackShardMap (nodeId: string, version: number): Promise<void> {
    if (nodeId === '' || !Number.isSafeInteger(version) || version < 1) throw new InvalidArgumentError('an ack needs a node id and a map version above 0')
    const coordinator = this.host.coordinator()
    if (coordinator === undefined || !this.host.leading()) throw this.notLeader()
    coordinator.receiveAck(this.host.clock.now(), nodeId, version)
    this.host.wake()
  }

  events (options: AbortOptions): AsyncIterable<ClusterEvent> {
    const source = this.host.events(options.signal)
    const clock = this.host.clock
    return {
      [Symbol.asyncIterator]: () => {
        const it = source[Symbol.asyncIterator]()
        return {
          next: async (): Promise<IteratorResult<ClusterEvent>> => {
            for (;;) {
              const r = await it.next()
              if (r.done === true) return { done: true, value: undefined }
              // The wire format has no kind for the leader's reshard timing: it stays local.
              const { type, detail } = r.value
              if (type === 'reshard:done') continue
              return { done: false, value: toClusterEvent({ type, detail }, clock.wallNow(), this.host.coordinator()?.shardCount ?? 0) }
            }
          },
          return: async (): Promise<IteratorResult<ClusterEvent>> => {
            await it.return?.()
            return { done: true, value: undefined }
          }
        }
      }
    }
  }

  leaderManagementAddress (): string | undefined {
    return this.host.managementAddressOf(this.host.leader())
  }

  private notLeader (): NotLeaderError {
    const leader = this.host.leader()
    if (leader === undefined || leader === this.host.nodeId()) return new NotLeaderError(undefined, undefined)
    return new NotLeaderError(leader, this.host.managementAddressOf(leader))
  }

  private requireLeader (): void {
    if (this.host.role() !== 'Leader') throw this.notLeader()
  }
}

function toClusterEvent (e: { type: Exclude<keyof ClusterEvents & string, 'reshard:done'>, detail: ClusterEvents[keyof ClusterEvents & string] }, at: number, total: number): ClusterEvent {
  const d = e.detail as Partial<{ state: ClusterState, role: ClusterRole, leaderId: string, nodeId: string, version: number }>
  switch (e.type) {
    case 'state:change': return { type: 'state:change', at, state: d.state as ClusterState }
    case 'role:change': return { type: 'role:change', at, role: d.role as ClusterRole }
    case 'leader:change': return { type: 'leader:change', at, ...(d.leaderId === undefined ? {} : { leaderId: d.leaderId }) }
    case 'shards:change': return { type: 'shards:change', at, mapVersion: d.version ?? 0, total }
    default: return { type: e.type, at, nodeId: d.nodeId ?? '' }
  }
}
