import { expect } from 'chai'
import fc from 'fast-check'
import { INCARNATIONS, MemoryMetrics, SeededRandom, inRange } from '@clusterfunk/core'
import { lanConfig, MAX_SEQ, numbersInRange, swimConfig, SwimCore, type MemberStatus, type SimpleMessage } from '../src/index.js'
import { addr } from './helpers.js'

/**
 * The SWIM core's step (`receive`, `mergeRemoteState`,
 * `answerStreamPing`, `tick`) fed seq numbers and incarnations at their
 * boundaries — 0, max − 1, max, max + 1, 2³², the first unsafe integer 2⁵³,
 * negative, fractional — as a simulation or another driver could hand them
 * over without the codec. Nothing throws; every message or member with a
 * number out of range is dropped and counted, and no out-of-range number
 * ever enters the membership.
 */

function edges (max: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(0, 1, max - 1, max, max + 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, -1, -(2 ** 53), 0.5, Number.NaN, Number.POSITIVE_INFINITY),
    fc.integer({ min: 0, max: 6 })
  )
}
const incarnation = edges(INCARNATIONS.max)
const seq = edges(MAX_SEQ)
const id = fc.constantFrom('a', 'b', 'c', 'd')
const address = id.map(addr)

const message: fc.Arbitrary<SimpleMessage> = fc.oneof(
  fc.record({ type: fc.constant('alive' as const), node: id, incarnation, address, tags: fc.constant(new Map<string, string>()) }),
  fc.record({ type: fc.constant('suspect' as const), node: id, incarnation, from: id }),
  fc.record({ type: fc.constant('dead' as const), node: id, incarnation, from: id }),
  fc.record({ type: fc.constant('ping' as const), seq, target: id, source: id, sourceAddress: address }),
  fc.record({ type: fc.constant('ack' as const), seq, source: id }),
  fc.record({ type: fc.constant('nack' as const), seq, source: id }),
  fc.record({ type: fc.constant('indirect-ping' as const), seq, target: id, targetAddress: address, wantNack: fc.boolean(), source: id, sourceAddress: address })
)
const member = fc.record({ node: id, address, incarnation, status: fc.constantFrom<MemberStatus>('alive', 'suspect', 'dead', 'left'), tags: fc.constant(new Map<string, string>()) })

const step = fc.oneof(
  fc.record({ kind: fc.constant('receive' as const), messages: fc.array(message, { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('push-pull' as const), members: fc.array(member, { maxLength: 4 }) }),
  fc.record({ kind: fc.constant('stream-ping' as const), seq }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 10_000 }) })
)

const DROPPED = 'clusterfunk_swim_messages_dropped_total'

describe('SwimCore steps with numbers at their boundaries', () => {
  it('never throws, drops and counts every message and member out of range, and holds only incarnations in range', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 40 }), fc.integer({ min: 1, max: 1000 }), (steps, seed) => {
      const metrics = new MemoryMetrics()
      const core = new SwimCore({ id: 'a', address: addr('a'), tags: {}, config: swimConfig(lanConfig, {}), random: new SeededRandom(seed), metrics })
      let now = 0
      let outOfRange = 0
      core.tick(now)
      for (const s of steps) {
        if (s.kind === 'receive') {
          outOfRange += s.messages.filter(m => !numbersInRange(m)).length
          core.receive(now, addr('b'), { type: 'compound', messages: s.messages })
        } else if (s.kind === 'push-pull') {
          outOfRange += s.members.filter(m => !inRange(INCARNATIONS, m.incarnation)).length
          core.mergeRemoteState(now, { join: false, members: s.members })
        } else if (s.kind === 'stream-ping') {
          const ping = { type: 'ping' as const, seq: s.seq, target: 'a', source: 'b', sourceAddress: addr('b') }
          const ack = core.answerStreamPing(ping)
          if (numbersInRange(ping)) expect(ack).to.include({ seq: s.seq })
          else {
            outOfRange++
            expect(ack).to.equal(undefined)
          }
        } else {
          now += s.ms
          core.tick(now)
        }
        const out = core.drain()
        for (const p of out.packets) for (const m of p.messages) expect(numbersInRange(m), JSON.stringify(m)).to.equal(true)
        for (const m of core.members()) expect(inRange(INCARNATIONS, m.incarnation), `${m.id} at ${m.incarnation}`).to.equal(true)
        expect(metrics.get(DROPPED, { reason: 'out-of-range' })).to.equal(outOfRange)
      }
    }), { numRuns: 300 })
  })

  it('one alive at 2⁵³ for an unknown member, or a push/pull member at −1, adds no member and is counted', () => {
    const metrics = new MemoryMetrics()
    const core = new SwimCore({ id: 'a', address: addr('a'), tags: {}, config: swimConfig(lanConfig, {}), random: new SeededRandom(1), metrics })
    core.receive(0, addr('b'), { type: 'alive', node: 'x', incarnation: 2 ** 53, address: addr('x'), tags: new Map() })
    core.mergeRemoteState(0, { join: true, members: [{ node: 'y', address: addr('y'), incarnation: -1, status: 'alive', tags: new Map() }] })
    expect(core.members().map(m => m.id)).to.deep.equal(['a'])
    expect(metrics.get(DROPPED, { reason: 'out-of-range' })).to.equal(2)
  })
})
