import { expect } from 'chai'
import { ManualClock, MemoryMetrics, TypedEventEmitter } from '@clusterfunk/core'
import type { LivenessEvents, NodeStatus } from '@clusterfunk/liveness'
import { ClusterMetrics } from '../../src/index.js'

/** A checker's surface with nodes the test sets. */
class FakeChecker extends TypedEventEmitter<LivenessEvents> {
  list: NodeStatus[] = []
  nodes (): NodeStatus[] { return this.list }
  set (states: Array<NodeStatus['state']>): void {
    this.list = states.map((state, i) => ({
      id: `n${i}`, address: { host: '127.0.0.1', port: 1000 + i }, state, misses: 0, lastRttMs: undefined, rttAvgMs: undefined, timeoutMs: 100
    }))
  }
}

describe('ClusterMetrics', () => {
  it('reports the cluster and node, the start time and the uptime', () => {
    const clock = new ManualClock(0, 1_700_000_000_000)
    const metrics = new MemoryMetrics()
    const cluster = new ClusterMetrics({ metrics, clock }, { clusterName: 'orders', nodeId: 'node-a' })
    expect(metrics.get('clusterfunk_cluster_info', { cluster: 'orders', node: 'node-a' })).to.equal(1)
    expect(metrics.get('clusterfunk_cluster_start_time_seconds')).to.equal(1_700_000_000)
    clock.advance(2_500)
    cluster.refresh()
    expect(metrics.get('clusterfunk_cluster_uptime_seconds')).to.equal(2.5)
  })

  it('counts the liveness checker\'s nodes by state, following its verdicts until unwatched', () => {
    const metrics = new MemoryMetrics()
    const cluster = new ClusterMetrics({ metrics, clock: new ManualClock() }, { clusterName: 'orders', nodeId: 'node-a' })
    const checker = new FakeChecker()
    checker.set(['unknown', 'unknown'])
    const unwatch = cluster.watchLiveness(checker)
    expect(metrics.get('clusterfunk_cluster_nodes', { state: 'unknown' })).to.equal(2)
    checker.set(['alive', 'dead'])
    checker.emit('node:dead', { nodeId: 'n1', address: { host: '127.0.0.1', port: 1001 }, misses: 3, previous: 'unknown', lastRttMs: undefined, lastReplyAt: undefined })
    expect(metrics.get('clusterfunk_cluster_nodes', { state: 'alive' })).to.equal(1)
    expect(metrics.get('clusterfunk_cluster_nodes', { state: 'dead' })).to.equal(1)
    expect(metrics.get('clusterfunk_cluster_nodes', { state: 'unknown' })).to.equal(0)
    unwatch()
    expect(checker.listenerCount('node:dead')).to.equal(0)
    expect(metrics.total('clusterfunk_cluster_nodes')).to.equal(0)
  })
})
