import { expect } from 'chai'
import { readFile, readdir, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CorruptSnapshotError, FileSnapshotStore, MemorySnapshotStore, readAll, type SnapshotStore } from '../src/index.js'

const config = { voters: [{ id: 'a', address: '127.0.0.1:1' }], nonVoters: [] }
const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill)

async function write (store: SnapshotStore, index: number, data: Uint8Array[]): Promise<string> {
  const sink = await store.create({ index, term: 1, configuration: config })
  for (const d of data) await sink.write(d)
  return (await sink.close()).id
}

describe('snapshot stores', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'raft-snap-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  for (const [name, make] of [['FileSnapshotStore', () => new FileSnapshotStore(dir, 2)], ['MemorySnapshotStore', () => new MemorySnapshotStore(2)]] as const) {
    it(`${name} writes a snapshot and reads it back with its metadata`, async () => {
      const store = make()
      const id = await write(store, 10, [bytes(1000, 1), bytes(500, 2)])
      const { info, stream } = await store.open(id)
      expect([info.index, info.term, info.size, info.configuration]).to.deep.equal([10, 1, 1500, config])
      const data = await readAll(stream)
      expect(data.length).to.equal(1500)
      expect(data[1499]).to.equal(2)
    })

    it(`${name} keeps only the newest snapshots`, async () => {
      const store = make()
      for (const index of [5, 10, 15]) await write(store, index, [bytes(10, index)])
      expect((await store.list()).map(s => s.index)).to.deep.equal([15, 10])
    })
  }

  it('a file snapshot whose bytes changed fails its checksum at open', async () => {
    const store = new FileSnapshotStore(dir)
    const id = await write(store, 7, [bytes(4096, 9)])
    const file = path.join(dir, id, 'state.bin')
    const data = await readFile(file)
    data[100] = 0
    await writeFile(file, data)
    const err = await store.open(id).catch((e: unknown) => e)
    expect(err).to.be.instanceOf(CorruptSnapshotError)
    expect((err as Error).message).to.match(/fails its checksum/)
  })

  it('a cancelled or half-written snapshot is never listed and its folder is removed', async () => {
    const store = new FileSnapshotStore(dir)
    const sink = await store.create({ index: 3, term: 1, configuration: config })
    await sink.write(bytes(10, 1))
    await sink.cancel()
    await mkdir(path.join(dir, 'crashed.tmp'))
    expect(await store.list()).to.deep.equal([])
    expect(await readdir(dir)).to.deep.equal([])
  })
})
