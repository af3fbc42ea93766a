import fc from 'fast-check'
import { INCARNATIONS } from '@clusterfunk/core'
import type { MemberStatus, PushPullState, SimpleMessage } from '../src/messages.js'

const id = fc.string({ minLength: 1, maxLength: 40 })
const u32 = fc.integer({ min: 0, max: 0xffffffff })
/** Incarnations the codec carries (INCARNATIONS; the top uint32 is refused, see wire-bounds.test.ts). */
const incarnation = fc.integer({ min: 0, max: INCARNATIONS.max })
const tags = fc.array(fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 60 })), { maxLength: 6 }).map(es => new Map(es))

/** Any message the core handles, as fast-check generates it. */
export const simpleMessage: fc.Arbitrary<SimpleMessage> = fc.oneof(
  fc.record({ type: fc.constant('ping' as const), seq: u32, target: id, source: id, sourceAddress: id }),
  fc.record({ type: fc.constant('indirect-ping' as const), seq: u32, target: id, targetAddress: id, wantNack: fc.boolean(), source: id, sourceAddress: id }),
  fc.record({ type: fc.constant('ack' as const), seq: u32, source: id }),
  fc.record({ type: fc.constant('nack' as const), seq: u32, source: id }),
  fc.record({ type: fc.constant('suspect' as const), node: id, incarnation, from: id }),
  fc.record({ type: fc.constant('alive' as const), node: id, incarnation, address: id, tags }),
  fc.record({ type: fc.constant('dead' as const), node: id, incarnation, from: id })
)

export const pushPullState: fc.Arbitrary<PushPullState> = fc.record({
  join: fc.boolean(),
  members: fc.array(fc.record({
    node: id,
    address: id,
    incarnation,
    status: fc.constantFrom<MemberStatus>('alive', 'suspect', 'dead', 'left'),
    tags
  }), { maxLength: 10 })
})
