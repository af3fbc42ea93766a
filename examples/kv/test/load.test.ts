import { expect } from 'chai'
import { KvHttpServer } from '../src/http.js'
import { runLoad } from '../src/load.js'
import { formatReport } from '../src/report.js'
import { ShardedStore } from '../src/store.js'
import { FakeView } from './fake-view.js'

describe('runLoad', function () {
  this.timeout(10_000)
  const servers: KvHttpServer[] = []

  afterEach(async () => {
    await Promise.all(servers.map(async s => { await s.stop() }))
    servers.length = 0
  })

  it('writes then reads every key through both nodes and counts who served what', async () => {
    const views = [new FakeView('a'), new FakeView('b')]
    for (const v of views) {
      const server = new KvHttpServer(v, new ShardedStore())
      await server.start()
      servers.push(server)
    }
    for (const v of views) {
      // key-0..key-9 (shard 5) on a, key-10..key-19 (shard 6) on b.
      v.owners.set('key-0', 'a')
      v.owners.set('key-10', 'b')
      v.endpoints.set('a', servers[0]?.url() ?? '')
      v.endpoints.set('b', servers[1]?.url() ?? '')
    }
    const report = await runLoad({ endpoints: servers.map(s => s.url()), requests: 100, keys: 20, concurrency: 4 })
    expect(report.failed).to.equal(0)
    expect(report.wrongValues).to.equal(0)
    expect(report.servedBy).to.deep.equal({ a: 50, b: 50 })
    expect(report.forwarded).to.equal(50)
    expect(report.p50Ms).to.be.at.most(report.p99Ms)
    expect(formatReport(report)).to.include('served by a:    50')
  })
})
