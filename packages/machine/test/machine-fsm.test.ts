import { expect } from 'chai'
import fc from 'fast-check'
import { defineMachine, encodeEntry, LeaderClock, MachineFsm, type MachineEntry } from '../src/index.js'
import type { Entry } from '@clusterfunk/raft'

interface Data { ticket: number, draws: number[], stamps: number[] }

const def = defineMachine<Data>({
  initialData: { ticket: 0, draws: [], stamps: [] },
  write: {
    TICKET: (m) => ++m.data.ticket,
    DRAW: (m) => { const v = m.rand.uint32(); m.data.draws.push(v, m.rand.int(1, 6)); m.data.stamps.push(m.now()); return v },
    FAIL: () => { throw new Error('nope') }
  },
  read: {
    GET: (m) => m.data.ticket,
    LASTDRAW: (m) => [m.rand.uint32(), m.now()]
  }
})

let index = 0
const entry = (e: MachineEntry): Entry => ({ index: ++index, term: 1, type: 'normal', data: encodeEntry(e) })
const cmd = (ts: number, seed: number, ...args: string[]): Entry => entry({ kind: 'command', ts, seed, args: args.map(a => Buffer.from(a)) })

async function snapshotBytes (fsm: MachineFsm<Data, unknown>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const p of fsm.snapshot()) parts.push(p)
  return Buffer.concat(parts)
}

describe('defineMachine', () => {
  it('refuses a command defined twice (names are case-insensitive)', () => {
    expect(() => defineMachine({ initialData: 0, write: { a: () => 1 }, read: { A: () => 1 } })).to.throw(/defined twice/)
  })

  it('refuses snapshot without restore', () => {
    expect(() => defineMachine({ initialData: 0, snapshot: () => new Uint8Array() })).to.throw(/both snapshot and restore/)
  })

  it('gives every machine its own copy of value initial data', () => {
    const d = defineMachine({ initialData: { n: 0 } })
    const a = d.makeInitialData()
    a.n = 5
    expect(d.makeInitialData().n).to.equal(0)
    expect(d.tickDelayMs).to.equal(200)
  })
})

describe('MachineFsm', () => {
  it('a write command changes data and answers its result', () => {
    const fsm = new MachineFsm(def, 'a')
    expect(fsm.apply(cmd(1000, 1, 'ticket'))).to.deep.equal({ type: 'integer', value: 1 })
    expect(fsm.apply(cmd(1001, 1, 'TICKET'))).to.deep.equal({ type: 'integer', value: 2 })
    expect(fsm.read(['get'])).to.deep.equal({ type: 'integer', value: 2 })
  })

  it('a throwing command answers an error and the log goes on', () => {
    const fsm = new MachineFsm(def, 'a')
    expect(fsm.apply(cmd(1, 1, 'FAIL'))).to.deep.equal({ type: 'error', value: 'ERR nope' })
    expect(fsm.apply(cmd(1, 1, 'TICKET'))).to.deep.equal({ type: 'integer', value: 1 })
  })

  it('an entry that does not decode is skipped and counted', () => {
    const fsm = new MachineFsm(def, 'a')
    expect(fsm.apply({ index: 1, term: 1, type: 'normal', data: new Uint8Array([9, 9]) }).type).to.equal('error')
    expect(fsm.badEntries).to.equal(1)
  })

  it('now() never goes back, even when a later leader stamps an earlier time', () => {
    const fsm = new MachineFsm(def, 'a')
    fsm.apply(cmd(5000, 1, 'DRAW'))
    fsm.apply(cmd(3000, 2, 'DRAW'))
    fsm.apply(cmd(6000, 3, 'DRAW'))
    expect(fsm.data.stamps).to.deep.equal([5000, 5000, 6000])
  })

  it('every replica computes byte-identical data from the same entries (time and seeds from the log)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(1e9), fc.nat(0xffffffff)), { minLength: 1, maxLength: 30 }), (list) => {
      const entries = list.map(([ts, seed]) => cmd(ts, seed, 'DRAW'))
      const a = new MachineFsm(def, 'a')
      const b = new MachineFsm(def, 'b')
      for (const e of entries) { a.apply(e); b.apply(e) }
      expect(JSON.stringify(a.data)).to.equal(JSON.stringify(b.data))
    }), { numRuns: 100 })
  })

  it('reads see the last applied time and random values and never advance them', () => {
    const fsm = new MachineFsm(def, 'a')
    const drawn = fsm.apply(cmd(7000, 42, 'DRAW'))
    const v = drawn.type === 'integer' ? drawn.value : -1
    expect(fsm.read(['LASTDRAW'])).to.deep.equal({ type: 'array', value: [{ type: 'integer', value: v }, { type: 'integer', value: 7000 }] })
    expect(fsm.read(['LASTDRAW'])).to.deep.equal(fsm.read(['LASTDRAW']))
  })

  it('a snapshot restores data, time, random state and peers; later entries give the same data as on a replica that never restored', async () => {
    const a = new MachineFsm(def, 'a')
    a.apply(cmd(100, 1, 'DRAW'))
    a.apply(entry({ kind: 'peer', ts: 101, seed: 0, nodeId: 'a', clientAddress: '127.0.0.1:11001' }))
    const b = new MachineFsm(def, 'b')
    await b.restoreBytes(await snapshotBytes(a))
    expect(b.lastTs).to.equal(100 + 1)
    expect(b.peers.get('a')).to.equal('127.0.0.1:11001')
    expect(b.read(['LASTDRAW'])).to.deep.equal(a.read(['LASTDRAW']))
    const next = cmd(50, 9, 'DRAW')
    a.apply(next); b.apply(next)
    expect(JSON.stringify(b.data)).to.equal(JSON.stringify(a.data))
  })

  it('uses the definition\'s own snapshot and restore', async () => {
    const own = defineMachine<{ n: number }>({
      initialData: { n: 0 },
      write: { INC: (m) => ++m.data.n },
      snapshot: (d) => Buffer.from(`n=${d.n}`),
      restore: (bytes) => ({ n: Number(Buffer.from(bytes).toString().slice(2)) })
    })
    const a = new MachineFsm(own, 'a')
    a.apply(cmd(1, 1, 'INC')); a.apply(cmd(1, 1, 'INC'))
    const parts: Uint8Array[] = []
    for await (const p of a.snapshot()) parts.push(p)
    expect(Buffer.concat(parts).toString()).to.match(/n=2$/)
    const b = new MachineFsm(own, 'b')
    await b.restoreBytes(Buffer.concat(parts))
    expect(b.data.n).to.equal(2)
  })
})

describe('LeaderClock', () => {
  it('advances by the monotonic clock from its anchor, ignoring a wall-clock step', () => {
    const c = new LeaderClock(false)
    expect(c.stamp(10_000, 0, 0)).to.equal(10_000)
    expect(c.stamp(500, 50, 0)).to.equal(10_050) // the wall clock jumped back
  })

  it('anchors at the last applied time when its wall clock is behind', () => {
    const c = new LeaderClock(false)
    expect(c.stamp(1000, 0, 5000)).to.equal(5000)
    expect(c.stamp(1010, 10, 5000)).to.equal(5010)
  })

  it('with localTime stamps the wall clock, never below the previous stamp', () => {
    const c = new LeaderClock(true)
    expect(c.stamp(2000, 0, 0)).to.equal(2000)
    expect(c.stamp(1500, 1, 0)).to.equal(2000)
    expect(c.stamp(2500, 2, 0)).to.equal(2500)
  })
})
