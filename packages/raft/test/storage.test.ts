import { expect } from 'chai'
import { ClassicLevel } from 'classic-level'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CorruptStoreError, MemoryLogStore, type Entry, type LogStore } from '../src/index.js'
import { LevelStore } from '../src/level.js'

const entry = (index: number, term: number, text = `e${index}`): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(text) })
const range = (lo: number, hi: number, term: number): Entry[] => Array.from({ length: hi - lo + 1 }, (_, i) => entry(lo + i, term))

describe('log stores', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'raft-store-')) })
  afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

  async function open (): Promise<LevelStore> {
    const s = new LevelStore(dir)
    await s.open()
    return s
  }

  it('keeps entries and hard state across a reopen', async () => {
    const s = await open()
    await s.storeLogs(range(1, 10, 1))
    await s.setHardState({ term: 3, vote: 'b', commit: 7 })
    await s.close()
    const again = await open()
    try {
      expect([again.firstIndex(), again.lastIndex()]).to.deep.equal([1, 10])
      expect(await again.getHardState()).to.deep.equal({ term: 3, vote: 'b', commit: 7 })
      const got = await again.getLogs(4, 6)
      expect(got.map(e => [e.index, new TextDecoder().decode(e.data)])).to.deep.equal([[4, 'e4'], [5, 'e5']])
    } finally { await again.close() }
  })

  it('keeps indexes past 2^32 in order across a reopen', async () => {
    const start = 2 ** 32 - 2
    const s = await open()
    await s.storeLogs(range(start, start + 4, 1))
    await s.close()
    const again = await open()
    try {
      expect([again.firstIndex(), again.lastIndex()]).to.deep.equal([start, start + 4])
      expect((await again.getLogs(start + 1, start + 4)).map(e => e.index)).to.deep.equal([start + 1, start + 2, start + 3])
    } finally { await again.close() }
  })

  it('replaces a conflicting suffix in one write and compacts a prefix', async () => {
    const s = await open()
    await s.storeLogs(range(1, 10, 1))
    await s.storeLogs([entry(6, 2, 'new6'), entry(7, 2, 'new7')])
    expect(s.lastIndex()).to.equal(7)
    await s.compactTo(3)
    await s.close()
    const again = await open()
    try {
      expect([again.firstIndex(), again.lastIndex()]).to.deep.equal([4, 7])
      expect((await again.getLogs(4, 8)).map(e => e.term)).to.deep.equal([1, 1, 2, 2])
    } finally { await again.close() }
  })

  it('refuses to open a log with a missing entry, naming the gap', async () => {
    const s = await open()
    await s.storeLogs(range(1, 5, 1))
    await s.close()
    const raw = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' })
    const key = new Uint8Array(9); key[0] = 0x65; key[8] = 3
    await raw.del(key)
    await raw.close()
    const err = await open().catch((e: unknown) => e)
    expect(err).to.be.instanceOf(CorruptStoreError)
    expect((err as Error).message).to.match(/gap, entries 3\.\.3 are missing/)
  })

  it('refuses to open a log whose entry fails its checksum', async () => {
    const s = await open()
    await s.storeLogs(range(1, 3, 1))
    await s.close()
    const raw = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' })
    const key = new Uint8Array(9); key[0] = 0x65; key[8] = 2
    const value = (await raw.get(key))!
    value[value.length - 1] = (value[value.length - 1] as number) ^ 0xff
    await raw.put(key, value)
    await raw.close()
    const err = await open().catch((e: unknown) => e)
    expect(err).to.be.instanceOf(CorruptStoreError)
    expect((err as Error).message).to.match(/entry 2 fails its checksum/)
  })

  for (const [name, make] of [['LevelStore', open], ['MemoryLogStore', async () => new MemoryLogStore()]] as const) {
    it(`${name} rejects an append that would leave a gap`, async () => {
      const s: LogStore & { close?: () => Promise<void> } = await make()
      try {
        await s.storeLogs(range(1, 3, 1))
        const err = await s.storeLogs([entry(9, 1)]).catch((e: unknown) => e)
        expect(err).to.be.instanceOf(RangeError)
        await s.clearLogs()
        expect([s.firstIndex(), s.lastIndex()]).to.deep.equal([0, 0])
      } finally { await s.close?.() }
    })
  }
})
