import { NotLeaderError, TypedEventEmitter, eventIterator, throwIfAborted, type AbortOptions } from '@clusterfunk/core'
import type { MemoryCluster } from './memory-cluster.js'
import type { ManagementSource } from './source.js'
import type { AddNodeRequest, ClusterEvent, ClusterStatus, NodeEndpoint, NodeSummary, ShardSummary } from './types.js'

// A type, not an interface: TypedEventEmitter needs an index-compatible map.
type SourceEvents = { 'cluster:event': ClusterEvent }

/**
 * One node's view of a `MemoryCluster`: its read model
 * (`ClusterReadModel`) and its commands (`ClusterCommands`) in one
 * `ManagementSource`, as a `Cluster` node serves them. Any node
 * answers status, shards and endpoints; on a follower the leader-only calls
 * throw `NotLeaderError` with the leader's id and management endpoint,
 * exactly as a real follower does. Get one with `cluster.source(id)`.
 */
export class MemoryManagementSource implements ManagementSource {
  /** The node this view is of. */
  readonly nodeId: string
  private readonly cluster: MemoryCluster
  private readonly emitter = new TypedEventEmitter<SourceEvents>()

  constructor (cluster: MemoryCluster, nodeId: string) {
    this.cluster = cluster
    this.nodeId = nodeId
  }

  /** How many `events()` readers are subscribed right now (tests wait on it before driving events). */
  subscribers (): number {
    return this.emitter.listenerCount('cluster:event')
  }

  async status (): Promise<ClusterStatus> {
    return this.cluster.statusOf(this.nodeId)
  }

  async nodes (): Promise<NodeSummary[]> {
    this.requireLeader()
    return this.cluster.nodes()
  }

  async shards (): Promise<ShardSummary> {
    return this.cluster.shards()
  }

  async endpoints (filter?: string): Promise<NodeEndpoint[]> {
    return this.cluster.endpoints(filter)
  }

  async addNode (request: AddNodeRequest, options: AbortOptions = {}): Promise<void> {
    throwIfAborted(options.signal)
    this.requireLeader()
    this.cluster.addNode(request)
  }

  async removeNode (id: string, options: AbortOptions = {}): Promise<void> {
    throwIfAborted(options.signal)
    this.requireLeader()
    this.cluster.removeNode(id)
  }

  async stepDown (options: AbortOptions = {}): Promise<void> {
    throwIfAborted(options.signal)
    this.requireLeader()
    this.cluster.stepDown()
  }

  events (options: AbortOptions): AsyncIterable<ClusterEvent> {
    // Subscribe now, not at the first next(), so nothing emitted in between is lost.
    const iterator = eventIterator(this.emitter, 'cluster:event', options.signal === undefined ? {} : { signal: options.signal })
    return {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          const r = await iterator.next()
          return r.done === true ? { done: true, value: undefined } : { done: false, value: r.value.detail }
        },
        return: async () => {
          await iterator.return?.()
          return { done: true, value: undefined }
        }
      })
    }
  }

  leaderManagementAddress (): string | undefined {
    return this.cluster.leaderManagementAddress()
  }

  /** @internal Called by the cluster with this node's events. */
  deliver (event: ClusterEvent): void {
    this.emitter.emit('cluster:event', event)
  }

  private requireLeader (): void {
    const leader = this.cluster.leader()
    if (leader === this.nodeId) return
    throw new NotLeaderError(leader, leader === undefined ? undefined : this.leaderManagementAddress())
  }
}
