import { expect } from 'chai'
import { PacketNetwork, Partitions, SimDisk, Simulation, StreamNetwork } from '@clusterfunk/sim'
import { CorruptSnapshotError, CorruptStoreError, readAll, type Entry, type InstallSnapshotRequest, type Message } from '../src/index.js'
import { SimLogStore, SimSnapshotStore, SimTransport } from '../src/sim.js'

const entry = (index: number, term = 1): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(`e${index}`) })
const config = { voters: [{ id: 'a', address: 'a:1' }], nonVoters: [] }

describe('SimLogStore', () => {
  it('keeps a synced append across a crash and loses one whose fsync had not finished', async () => {
    const sim = new Simulation({ seed: 1 })
    const disk = new SimDisk(sim, 'a')
    const store = new SimLogStore({ disk, clock: sim, random: sim.fork('f') }, { syncDelayMs: [5, 5] })
    await sim.resolve(store.storeLogs([entry(1), entry(2)]), { maxMs: 100 })
    const pending = store.storeLogs([entry(3)])
    pending.catch(() => {})
    await sim.runForAsync(1)
    store.close()
    disk.crash('all')
    const reopened = new SimLogStore({ disk })
    await reopened.open()
    expect([reopened.firstIndex(), reopened.lastIndex()]).to.deep.equal([1, 2])
    expect((await reopened.getLogs(1, 3)).map(e => e.index)).to.deep.equal([1, 2])
    await sim.runForAsync(10)
    expect(disk.get('e/0000000000000003')).to.equal(undefined)
  })

  it('rejects every call once closed, so a crashed incarnation cannot write', async () => {
    const store = new SimLogStore({ disk: new SimDisk(new Simulation(), 'a') })
    store.close()
    let err: Error | undefined
    try { await store.setHardState({ term: 1, vote: 'a', commit: 0 }) } catch (e) { err = e as Error }
    expect(err?.message).to.match(/closed/)
  })

  it('refuses to open a log with a gap or an entry that fails its checksum', async () => {
    const disk = new SimDisk(new Simulation(), 'a')
    const store = new SimLogStore({ disk })
    await store.storeLogs([entry(1), entry(2), entry(3)])
    disk.del('e/0000000000000002')
    let err: unknown
    try { await new SimLogStore({ disk }).open() } catch (e) { err = e }
    expect(err).to.be.instanceOf(CorruptStoreError)
    expect((err as Error).message).to.match(/gap, entries 2\.\.2/)
    const value = disk.get('e/0000000000000003') as Uint8Array
    value[value.length - 1] = (value[value.length - 1] as number) ^ 1
    disk.batch([{ type: 'del', key: 'e/0000000000000001' }, { type: 'put', key: 'e/0000000000000003', value }])
    try { await new SimLogStore({ disk }).open() } catch (e) { err = e }
    expect((err as Error).message).to.match(/entry 3 fails its checksum/)
  })
})

describe('SimSnapshotStore', () => {
  it('leaves no snapshot after a crash before close, and a whole one after', async () => {
    const disk = new SimDisk(new Simulation(), 'a')
    const store = new SimSnapshotStore(disk)
    const sink = await store.create({ index: 5, term: 1, configuration: config })
    await sink.write(Uint8Array.of(1, 2, 3))
    disk.crash('all')
    expect(await new SimSnapshotStore(disk).list()).to.deep.equal([])
    const again = new SimSnapshotStore(disk)
    const s2 = await again.create({ index: 5, term: 1, configuration: config })
    await s2.write(Uint8Array.of(4, 5))
    const info = await s2.close()
    disk.crash('all')
    const after = new SimSnapshotStore(disk)
    expect((await after.list()).map(i => i.id)).to.deep.equal([info.id])
    expect([...await readAll((await after.open(info.id)).stream)]).to.deep.equal([4, 5])
  })

  it('refuses to open a snapshot whose state fails its checksum', async () => {
    const disk = new SimDisk(new Simulation(), 'a')
    const store = new SimSnapshotStore(disk)
    const sink = await store.create({ index: 5, term: 1, configuration: config })
    await sink.write(Uint8Array.of(1, 2, 3))
    const info = await sink.close()
    disk.writeFile(`snapshots/${info.id}.state`, Uint8Array.of(1, 2, 4))
    let err: unknown
    try { await store.open(info.id) } catch (e) { err = e }
    expect(err).to.be.instanceOf(CorruptSnapshotError)
  })
})

describe('SimTransport', () => {
  function pair (sim: Simulation): { a: SimTransport, b: SimTransport, got: Message[], packets: PacketNetwork } {
    const partitions = new Partitions()
    const packets = new PacketNetwork(sim, { partitions })
    const streams = new StreamNetwork(sim, { partitions })
    const a = new SimTransport({ packets, streams }, { address: 'a:1', snapshotChunkBytes: 4 })
    const b = new SimTransport({ packets, streams }, { address: 'b:1' })
    const got: Message[] = []
    a.setHandler({ onMessage: () => {}, onSnapshot: async () => false })
    b.setHandler({
      onMessage: (m) => { got.push(m) },
      onSnapshot: async (_h, data) => { got.push(_h); return (await readAll(data)).length === 10 }
    })
    return { a, b, got, packets }
  }

  it('carries encoded messages and drops datagrams that do not decode, counting them', async () => {
    const sim = new Simulation({ seed: 2 })
    const { a, b, got, packets } = pair(sim)
    await a.start()
    await b.start()
    expect(a.send('b', 'b:1', [{ type: 'heartbeat', from: 'a', to: 'b', term: 3, commit: 1, readSeq: 0 }])).to.equal(true)
    const junk = packets.bind('x:1')
    junk.send('b:1', Uint8Array.of(0xff, 0xff, 0xff))
    await sim.runForAsync(50)
    expect(got.map(m => [m.type, m.term])).to.deep.equal([['heartbeat', 3]])
    expect(b.stats.rejected).to.equal(1)
    await a.stop()
    await b.stop()
  })

  it("streams a snapshot in checked chunks and reports the receiver's answer; a crashed receiver answers false", async () => {
    const sim = new Simulation({ seed: 3 })
    const { a, b, got } = pair(sim)
    await a.start()
    await b.start()
    const header = { type: 'installSnapshot', from: 'a', to: 'b', term: 2, snapshot: { index: 9, term: 2, configuration: config } } as InstallSnapshotRequest
    const data = (async function * () { yield new Uint8Array(6); yield new Uint8Array(4) })()
    expect(await sim.resolve(a.sendSnapshot('b', 'b:1', header, data), { maxMs: 1_000 })).to.equal(true)
    expect(got.map(m => m.type)).to.deep.equal(['installSnapshot'])
    b.crash()
    const again = (async function * () { yield new Uint8Array(10) })()
    expect(await sim.resolve(a.sendSnapshot('b', 'b:1', header, again), { maxMs: 2_000 })).to.equal(false)
    await a.stop()
  })
})
