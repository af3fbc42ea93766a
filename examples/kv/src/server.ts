import { createCluster, type Cluster, type ClusterInit } from '@clusterfunk/cluster'
import type { ServerArgs, TimingArgs } from './args.js'
import { KvHttpServer } from './http.js'
import { Replicator } from './replication.js'
import { ShardedStore } from './store.js'
import { KV_ENDPOINT, clusterView } from './view.js'

/** One JSON line of the node's progress, for people and for the demo that watches it. */
export type Say = (event: string, detail?: Record<string, unknown>) => void

/** A running kv node: its cluster member and its HTTP API. */
export interface KvNode {
  readonly cluster: Cluster
  readonly http: KvHttpServer
  stop: () => Promise<void>
}

/** The nodes owning at least one shard in the committed map, sorted. */
export function owners (cluster: Cluster): string[] {
  return (cluster.shards.map?.nodes() ?? []).filter(n => n.shards > 0).map(n => n.id)
}

/** The cluster options the timing flags set (an option left out takes its preset's value). */
function timingOptions (t: TimingArgs): Partial<ClusterInit> {
  const o: Partial<ClusterInit> = {}
  if (t.preset !== undefined) o.timing = t.preset
  if (t.raftPreset !== undefined) o.raftPreset = t.raftPreset
  if (t.leaseMs !== undefined) o.leaseMs = t.leaseMs
  if (t.ackTimeoutMs !== undefined) o.ackTimeoutMs = t.ackTimeoutMs
  if (t.livenessIntervalMs !== undefined) o.livenessIntervalMs = t.livenessIntervalMs
  if (t.livenessRetries !== undefined) o.livenessRetries = t.livenessRetries
  return o
}

/**
 * Starts a kv node: the HTTP API first (its URL is published as `ep.kv`
 * before the node joins, so peers can forward to it from the first map),
 * then the cluster member. Progress goes to `say`.
 */
export async function startKvNode (args: ServerArgs, say: Say): Promise<KvNode> {
  const cluster = createCluster({
    name: args.cluster,
    dataDir: args.dataDir,
    ...(args.id === undefined ? {} : { nodeId: args.id }),
    host: args.host,
    swimPort: args.swimPort,
    raftPort: args.raftPort,
    livenessPort: args.livenessPort,
    managementPort: args.mgmtPort,
    join: args.join,
    ...(args.bootstrapExpect === undefined ? {} : { bootstrapExpect: args.bootstrapExpect }),
    ...(args.shards === undefined ? {} : { shards: args.shards }),
    replicationFactor: args.replicationFactor,
    zeroconf: args.zeroconf,
    ...(args.token === undefined ? {} : { token: args.token }),
    ...(args.gossipKeys.length === 0 ? {} : { gossipKeys: args.gossipKeys }),
    ...(args.tls === undefined ? {} : { tls: { cert: args.tls.cert, key: args.tls.key, ...(args.tls.ca === undefined ? {} : { ca: args.tls.ca }), mutual: args.tls.mutual } }),
    ...(args.metricsPort === undefined ? {} : { metricsPort: args.metricsPort }),
    ...timingOptions(args.timing),
    ...(args.statusPage ? { statusPage: true } : {}),
    // Every part binds one address on one host or a LAN: the local timings find a crashed peer fastest.
    swimPreset: 'local'
  })
  const store = new ShardedStore({ maxEntries: args.maxEntries, maxBytes: args.maxBytes })
  // A secured node without a gossip key must not send client writes where forged gossip points.
  const secured = args.token !== undefined || args.tls !== undefined
  const view = clusterView(cluster, !secured || args.trustGossipEndpoints)
  const replicator = args.replicationFactor > 1 ? new Replicator(view, store) : undefined
  const http = new KvHttpServer(view, store, { host: args.host, port: args.httpPort, maxBodyBytes: args.maxValueBytes, ...(replicator === undefined ? {} : { replicator }) })
  // A node that lost leader contact (Voting) or left the map may have missed maps in which others owned its shards and
  // acknowledged writes to them; shards:change compares only with the map it served last, so after such a gap it copies
  // every shard it holds again.
  let missedMaps = false
  cluster.addEventListener('state:change', e => {
    if (e.detail.state !== 'Operational' && e.detail.state !== 'Resharding') missedMaps = true
    say('state', { state: e.detail.state, version: cluster.shards.version, owners: owners(cluster) })
  })
  cluster.addEventListener('role:change', e => { say('role', { role: e.detail.role }) })
  cluster.addEventListener('leader:change', e => { say('leader', { leaderId: e.detail.leaderId ?? null }) })
  cluster.addEventListener('node:dead', e => { say('dead', { nodeId: e.detail.nodeId }) })
  cluster.addEventListener('node:alive', e => { say('alive', { nodeId: e.detail.nodeId }) })
  cluster.addEventListener('shards:change', e => {
    const d = e.detail
    if (replicator === undefined) {
      // A cache: entries of shards this node lost would be stale if the shard ever came back.
      store.drop(d.lost)
    } else {
      // Replicated: shards gained in either role are copied from the other nodes before they serve; nothing is dropped,
      // so a node that loses a shard can still hand it to the next owner (the newest stamp wins a copy).
      replicator.gained(missedMaps ? cluster.shards.shardsOf(cluster.nodeId, { role: 'any' }) : [...d.gained, ...d.replicaGained])
      missedMaps = false
    }
    say('shards', { version: d.version, owners: owners(cluster), gained: d.gained.length, lost: d.lost.length, replicaGained: d.replicaGained.length, replicaLost: d.replicaLost.length, filling: replicator?.filling ?? 0 })
  })
  await http.start()
  cluster.setEndpoint(KV_ENDPOINT, http.url())
  try {
    await cluster.start()
  } catch (err) {
    await http.stop()
    throw err
  }
  say('ready', {
    nodeId: cluster.nodeId,
    pid: process.pid,
    http: http.url(),
    swim: cluster.swimAddress(),
    raft: cluster.raftAddress(),
    liveness: `${args.host}:${cluster.livenessAddress().port}`,
    mgmt: cluster.managementAddress(),
    metrics: cluster.metricsUrl() ?? null,
    secured: { token: args.token !== undefined, gossip: args.gossipKeys.length > 0, tls: args.tls !== undefined, endpointsTrusted: view.endpointsTrusted }
  })
  return {
    cluster,
    http,
    stop: async () => {
      await http.stop()
      await cluster.stop()
    }
  }
}
