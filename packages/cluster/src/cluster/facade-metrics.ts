import type { Counter, Gauge, Histogram, Metrics } from '@clusterfunk/core'
import { CLUSTER_ROLES, CLUSTER_STATES, type ClusterRole, type ClusterState } from '@clusterfunk/management'

/**
 * The facade's own series (Raft, SWIM, liveness and the management server
 * report theirs into the same registry): `clusterfunk_cluster_size`
 * (members of the Raft group), `_role{role}` and `_state{state}` (1 for the
 * current one), `_leader_changes_total`, `_shards_owned`,
 * `_shard_map_version`, `_reshard_duration_seconds` (from an open proposal
 * seen on this node to the node Operational again) and `_skipped_entries_total` (log entries that were not
 * cluster commands).
 */
export class FacadeMetrics {
  readonly size: Gauge
  readonly leaderChanges: Counter
  readonly shardsOwned: Gauge
  readonly mapVersion: Gauge
  readonly reshardSeconds: Histogram
  readonly skippedEntries: Counter
  private readonly role: Gauge
  private readonly state: Gauge

  constructor (metrics: Metrics) {
    this.size = metrics.gauge({ name: 'clusterfunk_cluster_size', help: 'Members of the Raft group (voters and non-voters)' })
    this.role = metrics.gauge({ name: 'clusterfunk_cluster_role', help: '1 for this node\'s current role', labelNames: ['role'] })
    this.state = metrics.gauge({ name: 'clusterfunk_cluster_state', help: '1 for this node\'s current state', labelNames: ['state'] })
    this.leaderChanges = metrics.counter({ name: 'clusterfunk_cluster_leader_changes_total', help: 'Times the leader this node knows changed' })
    this.shardsOwned = metrics.gauge({ name: 'clusterfunk_cluster_shards_owned', help: 'Shards this node owns in the committed map' })
    this.mapVersion = metrics.gauge({ name: 'clusterfunk_cluster_shard_map_version', help: 'Version of the committed shard map' })
    this.reshardSeconds = metrics.histogram({
      name: 'clusterfunk_cluster_reshard_duration_seconds', help: 'From an open proposal seen on this node to the node Operational again (s)', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    })
    this.skippedEntries = metrics.counter({ name: 'clusterfunk_cluster_skipped_entries_total', help: 'Raft log entries that did not decode as cluster commands' })
    this.setRole('NonMember')
    this.setState('Starting')
  }

  setRole (role: ClusterRole): void {
    for (const r of CLUSTER_ROLES) this.role.set({ role: r }, r === role ? 1 : 0)
  }

  setState (state: ClusterState): void {
    for (const s of CLUSTER_STATES) this.state.set({ state: s }, s === state ? 1 : 0)
  }
}
