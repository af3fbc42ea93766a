import { createCluster, type Cluster, type ClusterInit } from '@clusterfunk/cluster'
import type { ServerArgs, TimingArgs } from './args.js'
import { KvHttpServer } from './http.js'
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
  const http = new KvHttpServer(view, store, { host: args.host, port: args.httpPort, maxBodyBytes: args.maxValueBytes })
  cluster.addEventListener('state:change', e => {
    say('state', { state: e.detail.state, version: cluster.shards.version, owners: owners(cluster) })
  })
  cluster.addEventListener('role:change', e => { say('role', { role: e.detail.role }) })
  cluster.addEventListener('leader:change', e => { say('leader', { leaderId: e.detail.leaderId ?? null }) })
  cluster.addEventListener('node:dead', e => { say('dead', { nodeId: e.detail.nodeId }) })
  cluster.addEventListener('node:alive', e => { say('alive', { nodeId: e.detail.nodeId }) })
  cluster.addEventListener('shards:change', e => {
    // Entries of shards this node lost would be stale if the shard ever came back.
    store.drop(e.detail.lost)
    say('shards', { version: e.detail.version, owners: owners(cluster), gained: e.detail.gained.length, lost: e.detail.lost.length })
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
