import { expect } from 'chai'
import client from 'prom-client'
import { InvalidArgumentError, waitFor } from '@clusterfunk/core'
import { LivenessChecker, LivenessEndpoint } from '@clusterfunk/liveness'
import { MetricConflictError, PromMetrics } from '../../src/index.js'

describe('PromMetrics', () => {
  it('exposes counters, gauges and histograms created through the core interface, with their labels', async () => {
    const metrics = new PromMetrics()
    const requests = metrics.counter({ name: 'clusterfunk_test_requests_total', help: 'Requests', labelNames: ['method'] })
    const plain = metrics.counter({ name: 'clusterfunk_test_plain_total', help: 'Plain' })
    const size = metrics.gauge({ name: 'clusterfunk_test_size', help: 'Size', labelNames: ['pool'] })
    const rtt = metrics.histogram({ name: 'clusterfunk_test_rtt_ms', help: 'RTT', buckets: [1, 10, 100] })
    requests.inc({ method: 'get' })
    requests.inc({ method: 'get' }, 2)
    requests.inc({ method: 'put' })
    plain.inc()
    plain.inc(4)
    size.set({ pool: 'a' }, 7)
    size.inc({ pool: 'a' })
    size.dec({ pool: 'a' }, 3)
    rtt.observe(0.5)
    rtt.observe(50)
    const text = await metrics.exposition()
    const lines = text.split('\n')
    expect(lines).to.include.members([
      '# HELP clusterfunk_test_requests_total Requests',
      '# TYPE clusterfunk_test_requests_total counter',
      'clusterfunk_test_requests_total{method="get"} 3',
      'clusterfunk_test_requests_total{method="put"} 1',
      'clusterfunk_test_plain_total 5',
      '# TYPE clusterfunk_test_size gauge',
      'clusterfunk_test_size{pool="a"} 5',
      '# TYPE clusterfunk_test_rtt_ms histogram',
      'clusterfunk_test_rtt_ms_bucket{le="1"} 1',
      'clusterfunk_test_rtt_ms_bucket{le="10"} 1',
      'clusterfunk_test_rtt_ms_bucket{le="100"} 2',
      'clusterfunk_test_rtt_ms_bucket{le="+Inf"} 2',
      'clusterfunk_test_rtt_ms_sum 50.5',
      'clusterfunk_test_rtt_ms_count 2'
    ])
    expect(metrics.contentType).to.match(/^text\/plain; version=0\.0\.4/)
  })

  it('returns the same series when a name is created again with the same shape', async () => {
    const metrics = new PromMetrics()
    const init = { name: 'clusterfunk_test_twice_total', help: 'Twice', labelNames: ['a', 'b'] }
    const first = metrics.counter(init)
    const second = metrics.counter({ ...init, labelNames: ['b', 'a'] })
    expect(second).to.equal(first)
    first.inc({ a: 'x', b: 'y' })
    second.inc({ a: 'x', b: 'y' })
    expect(await metrics.exposition()).to.include('clusterfunk_test_twice_total{a="x",b="y"} 2')
  })

  it('throws MetricConflictError when a name comes back with another type, labels or buckets', () => {
    const metrics = new PromMetrics()
    metrics.counter({ name: 'clusterfunk_test_c_total', help: 'c', labelNames: ['x'] })
    metrics.histogram({ name: 'clusterfunk_test_h_ms', help: 'h', buckets: [1, 2] })
    expect(() => metrics.gauge({ name: 'clusterfunk_test_c_total', help: 'c' })).to.throw(MetricConflictError, /already a counter/)
    expect(() => metrics.counter({ name: 'clusterfunk_test_c_total', help: 'c', labelNames: ['y'] })).to.throw(MetricConflictError, /label names/)
    expect(() => metrics.histogram({ name: 'clusterfunk_test_h_ms', help: 'h', buckets: [1, 3] })).to.throw(MetricConflictError, /buckets/)
    new client.Gauge({ name: 'clusterfunk_test_direct', help: 'd', registers: [metrics.registry] }).set(1)
    expect(() => metrics.gauge({ name: 'clusterfunk_test_direct', help: 'd' })).to.throw(MetricConflictError, /registered directly/)
  })

  it('keeps a registry per instance and never touches prom-client\'s global one', async () => {
    const a = new PromMetrics()
    const b = new PromMetrics()
    a.counter({ name: 'clusterfunk_test_shared_total', help: 's' }).inc(1)
    b.counter({ name: 'clusterfunk_test_shared_total', help: 's' }).inc(2)
    expect(await a.exposition()).to.include('clusterfunk_test_shared_total 1')
    expect(await b.exposition()).to.include('clusterfunk_test_shared_total 2')
    expect(client.register.getSingleMetric('clusterfunk_test_shared_total')).to.equal(undefined)
  })

  it('collects Node\'s process metrics into its registry only when asked', async () => {
    const withDefaults = new PromMetrics({ defaultMetrics: true })
    const without = new PromMetrics()
    const text = await withDefaults.exposition()
    expect(text).to.include('process_cpu_user_seconds_total')
    expect(text).to.include('nodejs_heap_size_used_bytes')
    expect(await without.exposition()).to.not.include('process_cpu_user_seconds_total')
  })

  it('adds its labels to every series and runs collect hooks before each exposition', async () => {
    const metrics = new PromMetrics({ labels: { cluster: 'orders', node: 'node-a' } })
    const gauge = metrics.gauge({ name: 'clusterfunk_test_hooked', help: 'h' })
    let calls = 0
    const remove = metrics.addCollectHook(() => { gauge.set(++calls) })
    expect(await metrics.exposition()).to.include('clusterfunk_test_hooked{cluster="orders",node="node-a"} 1')
    expect(await metrics.exposition()).to.include('clusterfunk_test_hooked{cluster="orders",node="node-a"} 2')
    remove()
    expect(await metrics.exposition()).to.include('clusterfunk_test_hooked{cluster="orders",node="node-a"} 2')
  })

  it('rejects invalid metric and label names with InvalidArgumentError', () => {
    const metrics = new PromMetrics()
    expect(() => metrics.counter({ name: 'bad-name', help: 'x' })).to.throw(InvalidArgumentError)
    expect(() => metrics.counter({ name: 'ok_total', help: 'x', labelNames: ['bad-label'] })).to.throw(InvalidArgumentError)
    expect(() => metrics.histogram({ name: 'ok_ms', help: 'x', labelNames: ['le'] })).to.throw(InvalidArgumentError)
    expect(() => new PromMetrics({ labels: { __reserved: 'x' } })).to.throw(InvalidArgumentError)
  })

  it('carries a liveness checker\'s figures into the exposition', async () => {
    const metrics = new PromMetrics()
    const endpoint = new LivenessEndpoint({ metrics }, { nodeId: 'node-b' })
    const checker = new LivenessChecker({ metrics }, { intervalMs: 20 })
    try {
      await endpoint.start()
      await checker.start()
      checker.add('node-b', endpoint.address())
      await waitFor(() => checker.nodeStatus('node-b')?.state === 'alive', { timeoutMs: 10_000, what: 'node-b alive' })
      const text = await metrics.exposition()
      const probes = Number(/^clusterfunk_liveness_probes_sent_total (\d+)/m.exec(text)?.[1])
      expect(probes).to.be.greaterThan(0)
      expect(text).to.match(/^clusterfunk_liveness_rtt_seconds_bucket\{le="\+Inf"\} [1-9]/m)
      expect(text).to.include('clusterfunk_liveness_dead_nodes 0')
      expect(text).to.match(/^clusterfunk_liveness_endpoint_replies_total [1-9]/m)
    } finally {
      await checker.stop()
      await endpoint.stop()
    }
  })
})
