import { expect } from 'chai'
import { DecodeError, InvalidArgumentError } from '@clusterfunk/core'
import { runSeeds } from '@clusterfunk/sim'
import { decodePacket, encodePacket } from '../src/codec.js'
import { localConfig } from '../src/config.js'
import { PayloadTooLargeError } from '../src/errors.js'
import { LamportClock, USER_LTIMES } from '../src/lamport.js'
import type { QueryMessage, QueryResponseMessage, UserEventMessage, UserMessage } from '../src/messages.js'
import { RecentMessages } from '../src/recent-messages.js'
import { queryMatches } from '../src/user-messages.js'
import type { SwimCore } from '../src/swim-core.js'
import { makeCore } from './helpers.js'
import { SimCluster } from './sim-cluster.js'

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s))

/** Hands every packet one core sent to the core it is addressed to (`<id>:7946`), until all are quiet. */
function deliverAll (cores: SwimCore[], now: number): Map<string, UserMessage[]> {
  const got = new Map<string, UserMessage[]>(cores.map(c => [c.id, []]))
  for (let round = 0; round < 50; round++) {
    let moved = false
    for (const c of cores) {
      const out = c.drain()
      got.get(c.id)?.push(...out.user)
      for (const p of out.packets) {
        const to = cores.find(x => `${x.id}:7946` === p.to)
        if (to === undefined) continue
        moved = true
        to.receive(now, `${c.id}:7946`, { type: 'compound', messages: decodePacket(encodePacket(p.messages)) })
      }
    }
    if (!moved) break
  }
  return got
}

describe('user events and queries: the pure parts', () => {
  it('a Lamport clock increments, witnesses later times only, and refuses times outside its range', () => {
    const c = new LamportClock()
    expect(c.increment()).to.equal(1)
    expect(c.witness(10)).to.equal(true)
    expect(c.time).to.equal(10)
    expect(c.witness(3)).to.equal(true)
    expect(c.time).to.equal(10)
    expect(c.increment()).to.equal(11)
    expect(c.witness(USER_LTIMES.max + 1)).to.equal(false)
    expect(c.time).to.equal(11)
  })

  it('the recent-messages buffer admits once, stays within its capacity and calls a message too far behind stale', () => {
    const r = new RecentMessages(4)
    expect(r.admit('a', 1, 1)).to.equal('new')
    expect(r.admit('a', 1, 1)).to.equal('duplicate')
    expect(r.admit('b', 1, 1)).to.equal('new')
    for (let t = 2; t <= 10; t++) expect(r.admit('a', t, t)).to.equal('new')
    expect(r.size).to.equal(4)
    expect(r.admit('c', 6, 6)).to.equal('stale')
    expect(r.admit('c', 7, 7)).to.equal('new')
    expect(() => new RecentMessages(0)).to.throw(RangeError)
  })

  it('query filters: nodes named, and every tag pair held exactly', () => {
    const tags = new Map([['zone', 'eu'], ['role', 'db']])
    expect(queryMatches({ filterNodes: [], filterTags: new Map() }, 'a', tags)).to.equal(true)
    expect(queryMatches({ filterNodes: ['b'], filterTags: new Map() }, 'a', tags)).to.equal(false)
    expect(queryMatches({ filterNodes: ['a', 'b'], filterTags: new Map([['zone', 'eu']]) }, 'a', tags)).to.equal(true)
    expect(queryMatches({ filterNodes: [], filterTags: new Map([['zone', 'us']]) }, 'a', tags)).to.equal(false)
    expect(queryMatches({ filterNodes: [], filterTags: new Map([['rack', '']]) }, 'a', tags)).to.equal(false)
  })

  it('malformed user messages are refused by the decoder', () => {
    const event: UserEventMessage = { type: 'user-event', ltime: 1, origin: 'a', name: 'deploy', payload: bytes('v2'), coalesce: false }
    const good = encodePacket([event])
    expect(decodePacket(good)).to.deep.equal([event])
    expect(() => decodePacket(encodePacket([{ ...event, name: '' }]))).to.throw(DecodeError)
    expect(() => decodePacket(good.subarray(0, good.length - 1))).to.throw(DecodeError)
    const query: QueryMessage = { type: 'query', ltime: 1, id: 7, origin: 'a', originAddress: 'a:7946', name: 'q', payload: bytes(''), filterNodes: ['x'.repeat(513)], filterTags: new Map(), timeoutMs: 100, wantAck: false }
    expect(() => decodePacket(encodePacket([query]))).to.throw(DecodeError)
  })
})

describe('user events and queries in the SWIM core', () => {
  it('an event fired on one core is delivered once on each, its own included, and the clocks move past it', () => {
    const cores = ['a', 'b', 'c'].map((id, i) => makeCore(id, {}, i + 1))
    const [a, b, c] = cores as [SwimCore, SwimCore, SwimCore]
    const now = 0
    a.receive(now, 'b:7946', { type: 'compound', messages: [{ type: 'alive', node: 'b', incarnation: 1, address: 'b:7946', tags: new Map() }] })
    b.receive(now, 'c:7946', { type: 'compound', messages: [{ type: 'alive', node: 'c', incarnation: 1, address: 'c:7946', tags: new Map() }] })
    const fired = a.fireEvent(now, 'deploy', bytes('v2'))
    expect(fired.ltime).to.equal(1)
    // Gossip rounds, each sending the queue to random members.
    const seen = new Map<string, UserMessage[]>()
    for (let t = 0; t <= 3000; t += 100) {
      for (const x of cores) x.tick(t)
      for (const [id, list] of deliverAll(cores, t)) seen.set(id, [...(seen.get(id) ?? []), ...list])
    }
    for (const x of cores) {
      const events = (seen.get(x.id) ?? []).filter(m => m.type === 'user-event')
      expect(events, x.id).to.have.length(1)
      expect(events[0]).to.deep.include({ name: 'deploy', origin: 'a', ltime: 1 })
    }
    expect(c.userClocks.event).to.equal(1)
    // Fired after seeing a's event: a later Lamport time.
    expect(b.fireEvent(now, 'next', bytes('')).ltime).to.equal(2)
  })

  it('a duplicate or replayed event is dropped; a stale one too', () => {
    const b = makeCore('b', { recentUserMessages: 2 })
    const ev = (origin: string, ltime: number): UserEventMessage => ({ type: 'user-event', ltime, origin, name: 'e', payload: bytes(''), coalesce: false })
    b.receive(0, 'a:7946', ev('a', 5))
    b.receive(0, 'a:7946', ev('a', 5))
    b.receive(0, 'a:7946', ev('a', 9))
    b.receive(0, 'a:7946', ev('c', 6))
    expect(b.drain().user.map(m => (m as UserEventMessage).ltime)).to.deep.equal([5, 9])
  })

  it('payloads over maxUserPayloadBytes, or too large for one datagram, are refused with PayloadTooLargeError', () => {
    const a = makeCore('a', { maxUserPayloadBytes: 600 })
    expect(() => a.fireEvent(0, 'e', new Uint8Array(601))).to.throw(PayloadTooLargeError)
    a.fireEvent(0, 'e', new Uint8Array(600))
    const big = makeCore('a', { maxUserPayloadBytes: 2000 })
    expect(() => big.fireEvent(0, 'e', new Uint8Array(1500))).to.throw(PayloadTooLargeError, /datagram/)
    expect(() => a.fireEvent(0, '', new Uint8Array(0))).to.throw(InvalidArgumentError)
    expect(() => a.query(0, { name: 'q', payload: new Uint8Array(0), timeoutMs: 0 })).to.throw(InvalidArgumentError)
  })

  it('a coalescing event replaces an older queued event of the same name, never a newer one', () => {
    const a = makeCore('a')
    a.fireEvent(0, 'config', bytes('1'), true)
    a.fireEvent(0, 'config', bytes('2'), true)
    a.receive(0, 'b:7946', { type: 'user-event', ltime: 1, origin: 'b', name: 'config', payload: bytes('old'), coalesce: true })
    expect(a.pendingBroadcasts).to.equal(2) // a's alive and one 'config'
    a.receive(0, 'b:7946', { type: 'alive', node: 'b', incarnation: 1, address: 'b:7946', tags: new Map() })
    a.tick(0)
    a.tick(1000)
    const sent = a.drain().packets.flatMap(p => p.messages).filter((m): m is UserEventMessage => m.type === 'user-event')
    expect(sent.map(m => Buffer.from(m.payload).toString())).to.include('2')
    expect(sent.map(m => Buffer.from(m.payload).toString())).to.not.include('1')
    expect(sent.map(m => Buffer.from(m.payload).toString())).to.not.include('old')
  })

  it('a query reaches the matching members only; they ack and answer the origin directly', () => {
    const cores = ['a', 'b', 'c'].map((id, i) => makeCore(id, {}, i + 1, id === 'c' ? { zone: 'us' } : { zone: 'eu' }))
    const [a, b] = cores as [SwimCore, SwimCore, SwimCore]
    a.receive(0, 'b:7946', { type: 'compound', messages: [{ type: 'alive', node: 'b', incarnation: 1, address: 'b:7946', tags: new Map([['zone', 'eu']]) }, { type: 'alive', node: 'c', incarnation: 1, address: 'c:7946', tags: new Map([['zone', 'us']]) }] })
    const q = a.query(0, { name: 'who', payload: bytes('?'), filterTags: { zone: 'eu' }, timeoutMs: 500, wantAck: true })
    const got = new Map<string, UserMessage[]>()
    for (let t = 0; t <= 2000; t += 100) {
      for (const x of cores) x.tick(t)
      for (const [id, list] of deliverAll(cores, t)) {
        got.set(id, [...(got.get(id) ?? []), ...list])
        const x = cores.find(c => c.id === id) as SwimCore
        for (const m of list) if (m.type === 'query') x.respond(t, m, bytes(`from ${id}`))
      }
      for (const [id, list] of deliverAll(cores, t)) got.set(id, [...(got.get(id) ?? []), ...list])
    }
    const responses = (got.get('a') ?? []).filter((m): m is QueryResponseMessage => m.type === 'query-response' && m.id === q.id)
    expect([...new Set(responses.filter(r => r.ack).map(r => r.from))].sort()).to.deep.equal(['a', 'b'])
    expect([...new Set(responses.filter(r => !r.ack).map(r => Buffer.from(r.payload).toString()))].sort()).to.deep.equal(['from a', 'from b'])
    expect((got.get('c') ?? []).filter(m => m.type === 'query')).to.have.length(0)
    expect(b.userClocks.query).to.equal(q.ltime)
  })
  it('a member answers a resent query again from what it sent, so a lost answer is not lost for good; the query is delivered once', () => {
    const cores = ['a', 'b'].map((id, i) => makeCore(id, {}, i + 1, {}))
    const [a, b] = cores as [SwimCore, SwimCore]
    a.receive(0, 'b:7946', { type: 'compound', messages: [{ type: 'alive', node: 'b', incarnation: 1, address: 'b:7946', tags: new Map() }] })
    const q = a.query(0, { name: 'who', payload: bytes('?'), filterNodes: ['b'], timeoutMs: 1000 })
    // b gets the query, answers it, and the answer is lost on the way.
    const toB = a.drain().packets.filter(p => p.to === 'b:7946').flatMap(p => decodePacket(encodePacket(p.messages)))
    b.receive(0, 'a:7946', { type: 'compound', messages: toB })
    const queries = b.drain().user.filter((m): m is QueryMessage => m.type === 'query')
    expect(queries).to.have.length(1)
    b.respond(0, queries[0] as QueryMessage, bytes('from b'))
    const lost = b.drain().packets.flatMap(p => p.messages).filter(m => m.type === 'query-response')
    expect(lost).to.have.length(1)
    // a resends the query to b, which answers from what it sent, without delivering the query again.
    a.resendQuery(100, q, ['b'])
    const again = a.drain().packets.filter(p => p.to === 'b:7946').flatMap(p => decodePacket(encodePacket(p.messages)))
    b.receive(100, 'a:7946', { type: 'compound', messages: again })
    const out = b.drain()
    expect(out.user.filter(m => m.type === 'query')).to.have.length(0)
    const answers = out.packets.filter(p => p.to === 'a:7946').flatMap(p => p.messages).filter((m): m is QueryResponseMessage => m.type === 'query-response')
    expect(answers.length).to.be.within(1, 2)
    for (const r of answers) expect(Buffer.from(r.payload).toString()).to.equal('from b')
    // Not for ever: gossip brings more copies, and each answers again at most twice in all.
    for (let t = 200; t < 400; t += 100) {
      a.resendQuery(t, q, ['b'])
      b.receive(t, 'a:7946', { type: 'compound', messages: a.drain().packets.filter(p => p.to === 'b:7946').flatMap(p => decodePacket(encodePacket(p.messages))) })
      answers.push(...b.drain().packets.flatMap(p => p.messages).filter((m): m is QueryResponseMessage => m.type === 'query-response'))
    }
    expect(answers).to.have.length(2)
  })
})


describe('user events on the shipping Swim in the simulator, encrypted, with loss', function () {
  this.timeout(60_000)

  it('an event reaches every member, exactly once each: by gossip, or by the next push/pull for a member every transmit missed', async function () {
    await runSeeds({
      name: 'swim user event spreads',
      test: this.test,
      seeds: 3,
      budgetMs: 4000,
      scenario: async ({ sim }) => {
        const c = await SimCluster.create(sim, { size: 8, preset: 'local', latency: { minMs: 1, maxMs: 5 }, lossRate: 0.05, duplicateRate: 0.05 })
        expect(await c.converge(30_000)).to.equal(true)
        const seen = new Map<string, number>()
        for (const n of c.nodes) n.swim.addEventListener('user:event', e => { if (e.detail.name === 'deploy') seen.set(n.id, (seen.get(n.id) ?? 0) + 1) })
        c.node(2).swim.fire('deploy', bytes('v2'))
        const spread = await sim.runUntilAsync(() => seen.size === c.nodes.length, { maxMs: 2 * localConfig.pushPullIntervalMs + 5000 })
        expect([...seen.keys()].sort().join(), String(spread)).to.equal(c.nodes.map(n => n.id).sort().join())
        await sim.runForAsync(3000)
        expect([...seen.values()].every(v => v === 1)).to.equal(true)
      }
    })
  })
})
