import { expect } from 'chai'
import type { Cluster, ClusterEvents } from '../../src/index.js'
import { TestNodes, waitForAgreement } from './helpers.js'

describe('Cluster shards:change after a restart', function () {
  this.timeout(120_000)
  const t = new TestNodes()

  afterEach(async () => { await t.cleanup() })

  it('a restarted node reports the map it starts serving once, compared with nothing, not every old map in its log', async () => {
    const a = await t.create({ nodeId: 'a', bootstrapExpect: 3 })
    await a.start()
    const b = await t.create({ nodeId: 'b', bootstrapExpect: 3, join: [a.swimAddress()] })
    const dir = await t.dir()
    const c = await t.create({ nodeId: 'c', dataDir: dir, bootstrapExpect: 3, join: [a.swimAddress()] })
    await Promise.all([b.start(), c.start()])
    await waitForAgreement([a, b, c], ['a', 'b', 'c'])
    // Several maps in c's log: d joins and leaves, twice.
    for (const id of ['d', 'e']) {
      const extra = await t.create({ nodeId: id, join: [a.swimAddress()] })
      await extra.start()
      await waitForAgreement([a, b, c, extra], ['a', 'b', 'c', id])
      await extra.stop()
      await waitForAgreement([a, b, c], ['a', 'b', 'c'])
    }
    const versionsInLog = c.shards.version
    expect(versionsInLog).to.be.at.least(5)
    await c.stop()
    await waitForAgreement([a, b], ['a', 'b'])

    const again: Cluster = await t.create({ nodeId: 'c', dataDir: dir, bootstrapExpect: 3, join: [a.swimAddress()] })
    const seen: Array<ClusterEvents['shards:change']> = []
    again.addEventListener('shards:change', e => { seen.push(e.detail) })
    await again.start()
    // Back in the map can take several rounds on a busy host (a late ack leaves c out for 2 s, then 4 s): a wide bound.
    const version = await waitForAgreement([a, b, again], ['a', 'b', 'c'], 60_000)
    const mine = again.shards.shardsOf('c')
    // No old map is replayed: every report is of a map committed after c came back (a map c's log held
    // before it stopped would have a version up to versionsInLog), in order. A busy host may add a
    // round (c left out for a late ack, then let back in), so the count is not fixed; every report
    // chains from nothing: the first has lost nothing, and together they add up to what c serves.
    const reports = JSON.stringify(seen.map(s => ({ v: s.version, gained: s.gained.length, lost: s.lost.length })))
    expect(seen.length, reports).to.be.at.least(1)
    for (const [i, s] of seen.entries()) {
      expect(s.version, reports).to.be.above(versionsInLog)
      if (i > 0) expect(s.version, reports).to.be.above((seen[i - 1] as { version: number }).version)
    }
    expect(seen[0]?.lost).to.deep.equal([])
    const held = new Set<number>()
    for (const s of seen) {
      for (const x of s.lost) held.delete(x)
      for (const x of s.gained) held.add(x)
    }
    expect([...held].sort((x, y) => x - y)).to.deep.equal(mine)
    expect(seen.at(-1)?.version).to.equal(version)
  })
})
