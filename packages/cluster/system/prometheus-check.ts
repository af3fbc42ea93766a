/**
 * The node side of `prometheus-check.sh`. Two scrape jobs on 127.0.0.1,
 * scraped every second by a real Prometheus whose HTTP API is then asked
 * for the series:
 * - `clusterfunk`: components reporting through PromMetrics on their own —
 *   a LivenessChecker probing two LivenessEndpoints (and one address nobody
 *   answers) and the cluster-level gauges;
 * - `cluster`: a real three-node `Cluster`, every node serving /metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '@clusterfunk/core'
import { LivenessChecker, LivenessEndpoint } from '@clusterfunk/liveness'
import { ClusterMetrics, ManagementClient, MetricsServer, PromMetrics } from '../src/index.js'
import { CheckRun, must, poll, print } from './checks.js'
import { dashboardQueries } from './dashboard.js'
import { CLUSTER_SHARDS, MetricsCluster } from './prometheus-cluster.js'

const PROMETHEUS_PORT = Number(process.env.PROMETHEUS_PORT ?? 9090)
const API = `http://127.0.0.1:${PROMETHEUS_PORT}`
const checks = new CheckRun('[prometheus]')
const work = mkdtempSync(join(tmpdir(), 'clusterfunk-prometheus-'))

interface Sample { metric: Record<string, string>, value: [number, string] }

/** Runs an instant query; undefined while Prometheus is not answering. */
async function query (expr: string): Promise<Sample[]> {
  const res = await fetch(`${API}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(5_000) })
  const body = await res.json() as { status: string, data?: { resultType: string, result: Sample[] }, error?: string }
  if (body.status !== 'success' || body.data === undefined) throw new Error(`query ${expr}: ${body.error ?? res.status}`)
  return body.data.result
}

/** Polls `expr` until `accept` likes its samples (bounded); returns a short description of them. */
async function expectQuery (expr: string, accept: (samples: Sample[]) => boolean, timeoutMs = 30_000): Promise<string> {
  const samples = await poll(`${expr} to have the expected samples`, timeoutMs, 250, async () => {
    const s = await query(expr)
    return accept(s) ? s : undefined
  })
  return samples.map(s => `${JSON.stringify(s.metric)}=${s.value[1]}`).join(' ').slice(0, 300)
}

const value = (s: Sample[]): number => Number(s[0]?.value[1])

async function main (prometheusRef: { child?: ChildProcess }): Promise<void> {
  const metrics = new PromMetrics({ defaultMetrics: true })
  const cluster = new ClusterMetrics({ metrics }, { clusterName: 'syscheck', nodeId: 'node-a' })
  metrics.addCollectHook(() => { cluster.refresh() })
  const logger = createLogger('prometheus-check')
  const endpoints = ['node-b', 'node-c', 'node-d'].map(nodeId => new LivenessEndpoint({ metrics, logger }, { nodeId }))
  const checker = new LivenessChecker({ metrics, logger }, { intervalMs: 100, retries: 3 })
  const server = new MetricsServer({ metrics, logger }, { host: '127.0.0.1', port: 0 })
  const unwatch = cluster.watchLiveness(checker)
  const realCluster = new MetricsCluster()
  try {
    await checks.check('components start: a liveness checker, three endpoints (one then stopped), a metrics server on 127.0.0.1', async () => {
      for (const e of endpoints) await e.start()
      await checker.start()
      await server.start()
      const silent = endpoints[2] as LivenessEndpoint
      const silentAddress = silent.address()
      await silent.stop()
      checker.add('node-b', (endpoints[0] as LivenessEndpoint).address())
      checker.add('node-c', (endpoints[1] as LivenessEndpoint).address())
      checker.add('node-d', silentAddress)
      must(server.address().host === '127.0.0.1', `listening on ${server.address().host}`)
      return server.url()
    })
    await checks.check('the liveness checker reaches its verdicts (2 alive, node-d dead)', async () => {
      await poll('verdicts', 10_000, 50, async () => {
        const states = checker.nodes().map(n => `${n.id}:${n.state}`).sort().join(',')
        return states === 'node-b:alive,node-c:alive,node-d:dead' ? states : undefined
      })
      return undefined
    })

    await checks.check('a three-node Cluster bootstraps and is Operational, each node serving /metrics', async () => {
      await realCluster.start()
      return realCluster.targets().join(', ')
    })

    const config = join(work, 'prometheus.yml')
    writeFileSync(config, [
      'global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: clusterfunk', '    static_configs:', `      - targets: ['127.0.0.1:${server.address().port}']`,
      '  - job_name: cluster', '    static_configs:', `      - targets: [${realCluster.targets().map(t => `'${t}'`).join(', ')}]`,
      ''
    ].join('\n'))
    await checks.check(`prometheus starts on 127.0.0.1:${PROMETHEUS_PORT} with a 1 s scrape of the metrics server`, async () => {
      const child = spawn('prometheus', [
        `--config.file=${config}`, `--storage.tsdb.path=${join(work, 'data')}`, `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`, '--log.level=error'
      ], { stdio: ['ignore', 'inherit', 'inherit'] })
      prometheusRef.child = child
      child.once('exit', (code, signal) => { if (prometheusRef.child === child) print(`[prometheus] prometheus exited early (${String(code ?? signal)})`) })
      await poll('prometheus /-/ready', 60_000, 250, async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}`)
        const res = await fetch(`${API}/-/ready`, { signal: AbortSignal.timeout(2_000) })
        return res.ok ? true : undefined
      })
      return undefined
    })
    await checks.check('prometheus scrapes the target: up == 1', async () => await expectQuery('up{job="clusterfunk"}', s => s.length === 1 && value(s) === 1))
    await checks.check('clusterfunk_liveness_probes_sent_total has samples and grows between scrapes', async () => {
      await expectQuery('clusterfunk_liveness_probes_sent_total{job="clusterfunk"}', s => value(s) > 0)
      return await expectQuery('rate(clusterfunk_liveness_probes_sent_total{job="clusterfunk"}[5s])', s => value(s) > 0)
    })
    await checks.check('clusterfunk_liveness_rtt_seconds_bucket has samples for every bucket, and a median can be computed', async () => {
      await expectQuery('count(clusterfunk_liveness_rtt_seconds_bucket{job="clusterfunk"})', s => value(s) >= 2)
      await expectQuery('clusterfunk_liveness_rtt_seconds_bucket{job="clusterfunk",le="+Inf"}', s => value(s) > 0)
      return await expectQuery('histogram_quantile(0.5, rate(clusterfunk_liveness_rtt_seconds_bucket{job="clusterfunk"}[5s]))', s => Number.isFinite(value(s)))
    })
    await checks.check('clusterfunk_liveness_dead_nodes == 1 (node-d)', async () => await expectQuery('clusterfunk_liveness_dead_nodes{job="clusterfunk"}', s => value(s) === 1))
    await checks.check('clusterfunk_liveness_timeouts_total and _endpoint_replies_total have samples',
      async () => `${await expectQuery('clusterfunk_liveness_timeouts_total{job="clusterfunk"}', s => value(s) >= 3)} ${await expectQuery('sum(clusterfunk_liveness_endpoint_replies_total{job="clusterfunk"})', s => value(s) > 0)}`)
    await checks.check('clusterfunk_cluster_nodes counts 2 alive and 1 dead; clusterfunk_cluster_info names the node', async () => {
      await expectQuery('clusterfunk_cluster_nodes{job="clusterfunk",state="alive"}', s => value(s) === 2)
      await expectQuery('clusterfunk_cluster_nodes{job="clusterfunk",state="dead"}', s => value(s) === 1)
      await expectQuery('clusterfunk_cluster_uptime_seconds{job="clusterfunk"}', s => value(s) > 0)
      return await expectQuery('clusterfunk_cluster_info{job="clusterfunk"}', s => s[0]?.metric.cluster === 'syscheck' && s[0]?.metric.node === 'node-a' && value(s) === 1)
    })
    await checks.check('Node process metrics are scraped from the same registry', async () =>
      await expectQuery('process_cpu_user_seconds_total{job="clusterfunk"}', s => s.length === 1))

    await checks.check('every cluster node is scraped: up == 1 for all three', async () =>
      await expectQuery('sum(up{job="cluster"})', s => value(s) === 3))
    await checks.check('cluster size, role, state, leader changes and map version on every node', async () => {
      await expectQuery('clusterfunk_cluster_size{job="cluster"}', s => s.length === 3 && s.every(x => Number(x.value[1]) === 3))
      await expectQuery('sum(clusterfunk_cluster_role{job="cluster",role="Leader"})', s => value(s) === 1)
      await expectQuery('sum(clusterfunk_cluster_state{job="cluster",state="Operational"})', s => value(s) === 3)
      await expectQuery('count(clusterfunk_cluster_leader_changes_total{job="cluster"})', s => value(s) === 3)
      return await expectQuery('min(clusterfunk_cluster_shard_map_version{job="cluster"})', s => value(s) >= 1)
    })
    await checks.check(`the shards the nodes own add up to all ${CLUSTER_SHARDS}`, async () =>
      await expectQuery('sum(clusterfunk_cluster_shards_owned{job="cluster"})', s => value(s) === CLUSTER_SHARDS))
    await checks.check('the leader reports reshard durations; Raft term, commit and apply index and commit latency are there', async () => {
      await expectQuery('sum(clusterfunk_cluster_reshard_duration_seconds_count{job="cluster"})', s => value(s) >= 1)
      await expectQuery('min(clusterfunk_raft_term{job="cluster"})', s => value(s) >= 1)
      await expectQuery('min(clusterfunk_raft_commit_index{job="cluster"})', s => value(s) >= 1)
      await expectQuery('min(clusterfunk_raft_applied_index{job="cluster"})', s => value(s) >= 1)
      return await expectQuery('sum(clusterfunk_raft_commit_latency_seconds_count{job="cluster"})', s => value(s) >= 1)
    })
    await checks.check('SWIM members by status, probe RTT, and the leader\'s liveness RTT and dead count', async () => {
      await expectQuery('clusterfunk_swim_members{job="cluster",status="alive"}', s => s.length === 3 && s.every(x => Number(x.value[1]) === 3))
      await expectQuery('sum(clusterfunk_swim_probe_rtt_seconds_count{job="cluster"})', s => value(s) >= 1)
      await expectQuery('sum(clusterfunk_liveness_rtt_seconds_count{job="cluster"})', s => value(s) >= 1)
      return await expectQuery('sum(clusterfunk_liveness_dead_nodes{job="cluster"})', s => value(s) === 0)
    })
    await checks.check('a garbage datagram to a node\'s SWIM port is dropped and counted by reason', async () => {
      await realCluster.sendGarbage()
      return await expectQuery('sum by (reason) (clusterfunk_swim_dropped_packets_total{job="cluster",transport="udp"})', s => s.length >= 1 && s.some(x => Number(x.value[1]) >= 1))
    })
    await checks.check('the management API counts calls by method and code (one refused call among them)', async () => {
      for (const node of realCluster.nodes) {
        const client = new ManagementClient({ address: node.managementAddress() })
        try {
          await client.status()
          await client.shards()
          await client.removeNode('no-such-node').then(() => { throw new Error('removing an unknown node was accepted') }, (err: unknown) => {
            if (err instanceof Error && err.message.includes('was accepted')) throw err
          })
        } finally {
          client.close()
        }
      }
      return await expectQuery('sum by (code) (clusterfunk_cluster_management_requests_total{job="cluster"})', s => s.some(x => x.metric.code !== 'OK'))
    })
    // Every query of the Grafana dashboard, as Grafana would send it for the job and every node.
    const queries = dashboardQueries({ job: 'cluster', instance: '.*', __rate_interval: '10s' })
    await checks.check(`the Grafana dashboard's ${queries.length} queries each return at least one series`, async () => {
      const empty: string[] = []
      for (const q of queries) {
        try {
          await expectQuery(q.expr, s => s.length > 0, 10_000)
        } catch (err) {
          empty.push(`${q.panel}: ${q.expr} (${err instanceof Error ? err.message : String(err)})`)
        }
      }
      must(empty.length === 0, `queries with no series:\n  ${empty.join('\n  ')}`)
      return `${queries.length} queries over ${new Set(queries.map(q => q.panel)).size} panels`
    })
  } finally {
    const child = prometheusRef.child
    prometheusRef.child = undefined
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    unwatch()
    await realCluster.stop()
    await server.stop()
    await checker.stop()
    for (const e of endpoints) await e.stop()
  }
  await checks.check('stop() released every socket (no UDP or TCP handle left)', async () => {
    await poll('handles released', 5_000, 50, async () => {
      const left = process.getActiveResourcesInfo().filter(r => r === 'UDPWrap' || r === 'TCPServerWrap' || r === 'TCPSocketWrap')
      return left.length === 0 ? true : undefined
    })
    return undefined
  })
}

const prometheus: { child?: ChildProcess } = {}
try {
  await main(prometheus)
} catch (err) {
  await checks.check('the check program runs to its end', () => { throw err })
} finally {
  rmSync(work, { recursive: true, force: true })
  print(checks.summary())
  process.exitCode = checks.ok ? 0 : 1
}
