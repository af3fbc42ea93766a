import { expect } from 'chai'
import fc from 'fast-check'
import { encodePacket } from '../src/codec.js'
import type { SimpleMessage } from '../src/messages.js'
import { addr, makeCore } from './helpers.js'

const ids = ['a', 'b', 'c', 'd', 'e']
const id = fc.constantFrom(...ids)
const inc = fc.integer({ min: 0, max: 6 })
const seq = fc.integer({ min: 0, max: 3 })
const address = fc.oneof(id.map(addr), fc.constant('10.9.9.9:7946'))

const message: fc.Arbitrary<SimpleMessage> = fc.oneof(
  fc.record({ type: fc.constant('alive' as const), node: id, incarnation: inc, address, tags: fc.constantFrom(new Map(), new Map([['k', 'v']])) }),
  fc.record({ type: fc.constant('suspect' as const), node: id, incarnation: inc, from: id }),
  fc.record({ type: fc.constant('dead' as const), node: id, incarnation: inc, from: id }),
  fc.record({ type: fc.constant('ping' as const), seq, target: id, source: id, sourceAddress: address }),
  fc.record({ type: fc.constant('ack' as const), seq, source: id }),
  fc.record({ type: fc.constant('nack' as const), seq, source: id }),
  fc.record({ type: fc.constant('indirect-ping' as const), seq, target: id, targetAddress: address, wantNack: fc.boolean(), source: id, sourceAddress: address })
)

const step = fc.oneof(
  fc.record({ kind: fc.constant('receive' as const), message }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 15_000 }) }),
  fc.record({ kind: fc.constant('tags' as const), value: fc.string({ maxLength: 8 }) })
)

describe('SwimCore under arbitrary input', () => {
  it('never throws, never marks itself failed, never reports itself, keeps its incarnation rising and its datagrams in budget', () => {
    fc.assert(fc.property(fc.array(step, { maxLength: 80 }), fc.integer({ min: 1, max: 1000 }), (steps, seed) => {
      const core = makeCore('a', { udpPacketSize: 400 }, seed)
      let now = 0
      let incarnation = core.member('a')?.incarnation ?? 0
      core.tick(now)
      for (const s of steps) {
        if (s.kind === 'receive') core.receive(now, addr('b'), s.message)
        else if (s.kind === 'tags') core.setTags(now, { v: s.value })
        else {
          const until = now + s.ms
          while (core.nextTickAt() <= until) {
            now = Math.max(now, core.nextTickAt())
            core.tick(now)
            expect(core.nextTickAt()).to.be.greaterThan(now)
          }
          now = until
        }
        const out = core.drain()
        for (const p of out.packets) expect(encodePacket(p.messages).length).to.be.at.most(400)
        for (const e of out.events) expect(e.member.id).to.not.equal('a')
        const self = core.member('a')
        expect(self?.status).to.equal('alive')
        expect(self?.address).to.equal(addr('a'))
        expect(self?.incarnation).to.be.at.least(incarnation)
        incarnation = self?.incarnation ?? 0
      }
    }), { numRuns: 200 })
  })
})
