import type { Clock, TypedEventEmitter } from '@clusterfunk/core'
import type { MapVersion, StatusEvent, StatusPageSource, StatusSnapshot } from '../metrics/status-types.js'
import type { ClusterEvents, ClusterNode, ShardView } from './types.js'

/** Map versions the status page keeps, and events it replays to a new reader. */
export const STATUS_HISTORY = { versions: 50, events: 100 } as const

/** What the status page reads of a node. */
export interface StatusNode {
  readonly nodeId: string
  readonly state: string
  readonly role: string
  readonly shards: ShardView
  leader: () => string | undefined
  nodes: () => ClusterNode[]
}

/**
 * The status page's view of a `Cluster`: snapshots built on demand, the
 * last `STATUS_HISTORY.versions` committed maps and `STATUS_HISTORY.events`
 * events (both bounded), and the node's events passed on to subscribers.
 */
export class ClusterStatusSource implements StatusPageSource {
  private readonly node: StatusNode
  private readonly clock: Clock
  private readonly clusterName: string
  private readonly history: MapVersion[] = []
  private readonly events: StatusEvent[] = []
  private readonly listeners = new Set<(event: StatusEvent) => void>()

  constructor (components: { node: StatusNode, clock: Clock, emitter: TypedEventEmitter<ClusterEvents> }, init: { clusterName: string, eventTypes: ReadonlyArray<keyof ClusterEvents & string> }) {
    this.node = components.node
    this.clock = components.clock
    this.clusterName = init.clusterName
    for (const type of init.eventTypes) {
      components.emitter.addEventListener(type, e => { this.record(type, e.detail) })
    }
  }

  snapshot (): StatusSnapshot {
    const n = this.node
    const map = n.shards.map
    return {
      clusterName: this.clusterName,
      nodeId: n.nodeId,
      state: n.state,
      role: n.role,
      leader: n.leader(),
      shardCount: n.shards.shardCount,
      mapVersion: n.shards.version,
      members: n.nodes().map(m => ({
        id: m.id, suffrage: m.suffrage, swim: m.swim, liveness: m.liveness, leader: m.leader, shards: map?.countOf(m.id) ?? 0, endpoints: { ...m.endpoints }
      })),
      history: [...this.history],
      at: this.clock.wallNow()
    }
  }

  recentEvents (): StatusEvent[] {
    return [...this.events]
  }

  subscribe (listener: (event: StatusEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  private record (type: string, detail: unknown): void {
    const at = this.clock.wallNow()
    if (type === 'shards:change') {
      const d = detail as ClusterEvents['shards:change']
      this.history.push({ version: d.version, at, nodes: this.node.shards.map?.nodes().length ?? 0, gained: d.gained.length, lost: d.lost.length })
      if (this.history.length > STATUS_HISTORY.versions) this.history.shift()
    }
    // A map change lists every shard moved: the stream carries the counts only.
    const shown = type === 'shards:change'
      ? { version: (detail as ClusterEvents['shards:change']).version, gained: (detail as ClusterEvents['shards:change']).gained.length, lost: (detail as ClusterEvents['shards:change']).lost.length }
      : detail
    const event: StatusEvent = { type, at, detail: shown }
    this.events.push(event)
    if (this.events.length > STATUS_HISTORY.events) this.events.shift()
    for (const listener of [...this.listeners]) listener(event)
  }
}
