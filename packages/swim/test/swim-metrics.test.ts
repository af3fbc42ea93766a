import { expect } from 'chai'
import { MemoryMetrics, waitFor } from '@clusterfunk/core'
import { createSocket } from 'node:dgram'
import type { Swim } from '../src/index.js'
import { startCluster, stopAll } from './swim-helpers.js'

describe('Swim metrics', () => {
  let nodes: Swim[] = []
  afterEach(async () => {
    await stopAll(nodes)
    nodes = []
  })

  it('a running cluster reports bytes, probes, probe round trips and members through the Metrics component', async () => {
    const metrics = [new MemoryMetrics(), new MemoryMetrics(), new MemoryMetrics()]
    nodes = await startCluster(3, 'm', {}, i => metrics[i] as MemoryMetrics)
    const m = metrics[0] as MemoryMetrics
    await waitFor(() => m.get('clusterfunk_swim_probes_total', { result: 'ack' }) >= 2, { timeoutMs: 5000, what: 'two acked probes' })
    expect(m.get('clusterfunk_swim_bytes_sent_total', { transport: 'udp' })).to.be.greaterThan(0)
    expect(m.get('clusterfunk_swim_bytes_received_total', { transport: 'udp' })).to.be.greaterThan(0)
    expect(m.get('clusterfunk_swim_bytes_sent_total', { transport: 'tcp' }) + m.get('clusterfunk_swim_bytes_received_total', { transport: 'tcp' })).to.be.greaterThan(0)
    expect(m.get('clusterfunk_swim_members', { status: 'alive' })).to.equal(3)
    expect(m.observed('clusterfunk_swim_probe_rtt_seconds').length).to.be.greaterThan(0)
    expect(m.observed('clusterfunk_swim_probe_rtt_seconds').every(v => v >= 0 && v < 1)).to.equal(true)
  })

  it('a garbage datagram is counted in clusterfunk_swim_dropped_packets_total by transport and reason', async () => {
    const metrics = new MemoryMetrics()
    nodes = await startCluster(1, 'g', {}, () => metrics)
    const sender = createSocket('udp4')
    try {
      sender.send(Buffer.from([1, 2, 3]), (nodes[0] as Swim).port(), '127.0.0.1')
      await waitFor(() => metrics.get('clusterfunk_swim_dropped_packets_total', { transport: 'udp', reason: 'decode' }) === 1, { timeoutMs: 5000, what: 'the drop to be counted' })
    } finally {
      sender.close()
    }
    expect((nodes[0] as Swim).stats().dropped.udp.decode).to.equal(1)
  })

  it('a killed member shows up as suspicions and a failure in the counters of the others', async () => {
    const metrics = [new MemoryMetrics(), new MemoryMetrics(), new MemoryMetrics()]
    nodes = await startCluster(3, 'f', {}, i => metrics[i] as MemoryMetrics)
    await (nodes[2] as Swim).stop()
    await waitFor(() => nodes.slice(0, 2).every(n => n.member('f2')?.status === 'dead'), { timeoutMs: 10_000, what: 'the failure' })
    for (const m of metrics.slice(0, 2)) {
      expect(m.get('clusterfunk_swim_failures_total')).to.equal(1)
      expect(m.get('clusterfunk_swim_suspicions_total')).to.be.at.least(1)
    }
  })
})
