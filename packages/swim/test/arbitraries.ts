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
  fc.record({ type: fc.constant('dead' as const), node: id, incarnation, from: id }),
  fc.record({ type: fc.constant('user-event' as const), ltime: u32, origin: id, name: id, payload: fc.uint8Array({ maxLength: 64 }), coalesce: fc.boolean() }),
  fc.record({
    type: fc.constant('query' as const),
    ltime: u32,
    id: u32,
    origin: id,
    originAddress: id,
    name: id,
    payload: fc.uint8Array({ maxLength: 64 }),
    filterNodes: fc.array(id, { maxLength: 4 }),
    filterTags: tags,
    timeoutMs: u32,
    wantAck: fc.boolean()
  }),
  fc.record({ type: fc.constant('query-response' as const), id: u32, ltime: u32, from: id, ack: fc.boolean(), payload: fc.uint8Array({ maxLength: 64 }) })
)

export const pushPullState: fc.Arbitrary<PushPullState> = fc.record({
  join: fc.boolean(),
  members: fc.array(fc.record({
    node: id,
    address: id,
    incarnation,
    status: fc.constantFrom<MemberStatus>('alive', 'suspect', 'dead', 'left'),
    tags
  }), { maxLength: 10 }),
  events: fc.array(fc.record({ type: fc.constant('user-event' as const), ltime: u32, origin: id, name: id, payload: fc.uint8Array({ maxLength: 32 }), coalesce: fc.boolean() }), { maxLength: 4 }),
  eventLtime: u32,
  queryLtime: u32
})
