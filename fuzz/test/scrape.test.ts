import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'chai'
import { delta, dropsTotal, scrape } from '../src/scrape.js'

describe('scrape', () => {
  let server: Server | undefined
  afterEach(async () => { await new Promise<void>(resolve => { if (server === undefined) resolve(); else server.close(() => { resolve() }) }) })

  it('sums series by name and keeps each labelled series, and totals the drop counters', async () => {
    server = createServer((_req, res) => {
      res.end([
        '# HELP clusterfunk_swim_dropped_packets_total x',
        'clusterfunk_swim_dropped_packets_total{transport="udp",reason="decode"} 3',
        'clusterfunk_swim_dropped_packets_total{transport="tcp",reason="auth"} 2',
        'clusterfunk_raft_transport_rejected_total{reason="auth"} 4',
        'clusterfunk_raft_term 7'
      ].join('\n'))
    })
    await new Promise<void>(resolve => { server?.listen(0, '127.0.0.1', resolve) })
    const s = await scrape((server.address() as AddressInfo).port)
    expect(s.get('clusterfunk_swim_dropped_packets_total')).to.equal(5)
    expect(s.get('clusterfunk_swim_dropped_packets_total{transport="tcp",reason="auth"}')).to.equal(2)
    expect(dropsTotal(s)).to.equal(9)
    expect(delta(new Map(), s, 'clusterfunk_raft_term')).to.equal(7)
  })
})
