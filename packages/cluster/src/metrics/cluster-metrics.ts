import { systemClock, type Clock, type EventHandler, type Gauge, type Metrics } from '@clusterfunk/core'
import type { LivenessEvents, NodeState, NodeStatus } from '@clusterfunk/liveness'

/** Options of `ClusterMetrics`. */
export interface ClusterMetricsInit {
  clusterName: string
  nodeId: string
}

/** The part of a `LivenessChecker` that `ClusterMetrics` watches. */
export interface WatchedChecker {
  nodes: () => NodeStatus[]
  addEventListener: <K extends keyof LivenessEvents & string>(type: K, listener: EventHandler<LivenessEvents[K]>) => void
  removeEventListener: <K extends keyof LivenessEvents & string>(type: K, listener: EventHandler<LivenessEvents[K]>) => void
}

const STATES: readonly NodeState[] = ['alive', 'dead', 'unknown']

/**
 * The cluster-level series that exist before the Cluster facade does:
 * `clusterfunk_cluster_info{cluster,node}` (always 1),
 * `clusterfunk_cluster_start_time_seconds`, `clusterfunk_cluster_uptime_seconds`
 * and `clusterfunk_cluster_nodes{state}` (nodes the liveness checker tracks,
 * by state). Counts change on the checker's events and on `refresh()`;
 * call `refresh()` before each scrape (`PromMetrics.addCollectHook`) so
 * uptime and nodes added or removed without an event are current.
 */
export class ClusterMetrics {
  private readonly clock: Clock
  private readonly started: number
  private readonly uptime: Gauge
  private readonly nodes: Gauge
  private readonly checkers = new Set<WatchedChecker>()

  constructor (components: { metrics: Metrics, clock?: Clock }, init: ClusterMetricsInit) {
    const metrics = components.metrics
    this.clock = components.clock ?? systemClock
    this.started = this.clock.now()
    metrics.gauge({ name: 'clusterfunk_cluster_info', help: 'Always 1; its labels name the cluster and the node', labelNames: ['cluster', 'node'] })
      .set({ cluster: init.clusterName, node: init.nodeId }, 1)
    metrics.gauge({ name: 'clusterfunk_cluster_start_time_seconds', help: 'When this node\'s cluster metrics were created (Unix seconds)' })
      .set(this.clock.wallNow() / 1000)
    this.uptime = metrics.gauge({ name: 'clusterfunk_cluster_uptime_seconds', help: 'Seconds since this node\'s cluster metrics were created' })
    this.nodes = metrics.gauge({ name: 'clusterfunk_cluster_nodes', help: 'Nodes the liveness checker tracks, by state', labelNames: ['state'] })
    this.refresh()
  }

  /**
   * Keeps `clusterfunk_cluster_nodes` in step with a liveness checker's
   * verdicts. Returns a function that stops watching.
   */
  watchLiveness (checker: WatchedChecker): () => void {
    const onChange = (): void => { this.refresh() }
    checker.addEventListener('node:alive', onChange)
    checker.addEventListener('node:dead', onChange)
    this.checkers.add(checker)
    this.refresh()
    return () => {
      checker.removeEventListener('node:alive', onChange)
      checker.removeEventListener('node:dead', onChange)
      this.checkers.delete(checker)
      this.refresh()
    }
  }

  /** Sets uptime and the node counts from the watched checkers now. */
  refresh (): void {
    this.uptime.set(Math.max(0, (this.clock.now() - this.started) / 1000))
    const counts: Record<NodeState, number> = { alive: 0, dead: 0, unknown: 0 }
    for (const checker of this.checkers) {
      for (const node of checker.nodes()) counts[node.state]++
    }
    for (const state of STATES) this.nodes.set({ state }, counts[state])
  }
}
