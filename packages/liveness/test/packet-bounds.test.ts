import { expect } from 'chai'
import fc from 'fast-check'
import {
  DROP_REASONS, KIND_PROBE, KIND_REPLY, MAX_NODE_ID_BYTES, MAX_PACKET_BYTES, createPacketView, decodePacket,
  packetTemplate, sealPacket, verifyPacket, writeFreshness, writeNonce
} from '../src/index.js'

const KEY = Buffer.from('bounds-key-0123456789abcdef')
/** Boundary values of a 32-bit half: 0, 1, max - 1, max. */
const u32 = fc.constantFrom(0, 1, 0x7fff_ffff, 0xffff_fffe, 0xffff_ffff)
/** Send times around the edges of what a packet can carry: 0, small, now, the last safe integer, past it. */
const sentAt = fc.constantFrom(0, 1, Date.now(), 2 ** 52, Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 63)

function packet (kind: number, id: Uint8Array, nonce: [number, number], checker: [number, number], ms: number, keyed: boolean): Buffer {
  const t = packetTemplate(kind, id)
  writeNonce(t, nonce[0], nonce[1])
  if (keyed) writeFreshness(t, checker[0], checker[1], ms)
  return t.subarray(0, sealPacket(t, keyed ? KEY : undefined))
}

function checkView (buf: Uint8Array, reason: string | undefined, view: ReturnType<typeof createPacketView>): void {
  if (reason !== undefined) {
    expect(DROP_REASONS).to.include(reason)
    return
  }
  expect(view.kind === KIND_PROBE || view.kind === KIND_REPLY).to.equal(true)
  expect(view.idEnd).to.be.at.most(buf.length)
  expect(view.idEnd - view.idStart).to.be.within(1, MAX_NODE_ID_BYTES)
  expect(Number.isSafeInteger(view.sentAtMs) && view.sentAtMs >= 0).to.equal(true)
  expect(view.nonceLo !== 0 || view.nonceHi !== 0).to.equal(true)
  if (view.macStart >= 0) expect(view.checkerLo !== 0 || view.checkerHi !== 0).to.equal(true)
}

describe('liveness packets at the edges of every field', () => {
  it('never throw on any bytes, and every accepted packet has in-range fields', () => {
    const view = createPacketView()
    fc.assert(fc.property(fc.uint8Array({ maxLength: MAX_PACKET_BYTES + 8 }), buf => {
      checkView(buf, decodePacket(buf, view), view)
    }), { numRuns: 5_000 })
  })

  it('decode or drop, never throw, a packet whose numbers sit at their boundaries', () => {
    const view = createPacketView()
    fc.assert(fc.property(
      fc.constantFrom(KIND_PROBE, KIND_REPLY, 0, 3, 255), fc.uint8Array({ minLength: 1, maxLength: MAX_NODE_ID_BYTES }),
      fc.tuple(u32, u32), fc.tuple(u32, u32), sentAt, fc.boolean(),
      (kind, id, nonce, checker, ms, keyed) => {
        const buf = packet(KIND_PROBE, id, nonce, checker, ms, keyed)
        buf[3] = kind
        const reason = decodePacket(buf, view)
        checkView(buf, reason, view)
        // A send time that is not a positive safe integer, a zero nonce or a zero checker id is never accepted.
        if (reason === undefined && keyed) expect(ms > 0 && ms <= Number.MAX_SAFE_INTEGER).to.equal(true)
        if (nonce[0] === 0 && nonce[1] === 0) expect(reason).to.equal('malformed')
      }), { numRuns: 3_000 })
  })

  it('authenticate only untouched packets: any one byte changed fails the mac', () => {
    const view = createPacketView()
    fc.assert(fc.property(fc.nat({ max: 200 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
      const buf = packet(KIND_PROBE, Buffer.from('node-a'), [7, 9], [1, 2], Date.now(), true)
      const i = at % buf.length
      buf[i] = (buf[i] as number) ^ xor
      if (decodePacket(buf, view) === undefined) expect(verifyPacket(buf, view, KEY)).to.equal(false)
    }), { numRuns: 2_000 })
  })

  it('refuse a node id longer than the limit when a packet is built', () => {
    expect(() => packetTemplate(KIND_PROBE, new Uint8Array(MAX_NODE_ID_BYTES + 1))).to.throw(RangeError)
    expect(() => packetTemplate(KIND_PROBE, new Uint8Array(0))).to.throw(RangeError)
  })
})
