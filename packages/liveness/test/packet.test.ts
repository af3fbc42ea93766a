import { expect } from 'chai'
import fc from 'fast-check'
import {
  KIND_PROBE, KIND_REPLY, MAX_PACKET_BYTES, createPacketView, decodePacket, decodeWithSchema, encodeWithSchema,
  packetTemplate, sealPacket, verifyPacket, writeFreshness, writeNonce
} from '../src/index.js'

const KEY = Buffer.from('k'.repeat(32))

function probe (id: string, lo: number, hi: number, key?: Buffer): Buffer {
  const t = packetTemplate(KIND_PROBE, Buffer.from(id))
  writeNonce(t, lo, hi)
  if (key !== undefined) writeFreshness(t, 7, 8, 1_700_000_000_123)
  return Buffer.from(t.subarray(0, sealPacket(t, key)))
}

describe('liveness packet', () => {
  it('the hand encoding is byte for byte what protobufjs writes for the schema', () => {
    const hand = probe('node-a', 0x89abcdef, 0x01234567)
    const schema = encodeWithSchema({ kind: KIND_PROBE, nonce: 0x0123456789abcdefn, target: 'node-a' })
    expect(Buffer.from(schema).equals(hand)).to.equal(true)
  })

  it('the mac and the freshness fields follow fields 1-4 and protobufjs reads them back', () => {
    const hand = probe('ñode-ü', 5, 6, KEY)
    const msg = decodeWithSchema(hand)
    expect(msg).to.include({ version: 1, kind: KIND_PROBE, target: 'ñode-ü', nonce: String(6n * 2n ** 32n + 5n) })
    expect(msg.mac).to.have.length(32)
    const again = encodeWithSchema({ kind: KIND_PROBE, nonce: 6n * 2n ** 32n + 5n, target: 'ñode-ü', mac: msg.mac, checker: 8n * 2n ** 32n + 7n, sentAtMs: 1_700_000_000_123n })
    expect(Buffer.from(again).equals(hand)).to.equal(true)
  })

  it('a packet written by protobufjs decodes with the hand codec', () => {
    const bytes = encodeWithSchema({ kind: KIND_REPLY, nonce: 2n ** 64n - 1n, target: 'x' })
    const view = createPacketView()
    expect(decodePacket(bytes, view)).to.equal(undefined)
    expect(view).to.include({ kind: KIND_REPLY, nonceLo: 0xffffffff, nonceHi: 0xffffffff, macStart: -1 })
    expect(Buffer.from(bytes).toString('utf8', view.idStart, view.idEnd)).to.equal('x')
  })

  it('damaged packets are refused with the reason they fail', () => {
    const good = probe('node-a', 1, 2)
    const view = createPacketView()
    const with_ = (i: number, v: number): Buffer => { const b = Buffer.from(good); b[i] = v; return b }
    expect(decodePacket(good, view)).to.equal(undefined)
    expect(decodePacket(Buffer.alloc(0), view)).to.equal('malformed')
    expect(decodePacket(good.subarray(0, good.length - 1), view)).to.equal('malformed')
    expect(decodePacket(Buffer.concat([good, Buffer.from([0])]), view)).to.equal('malformed')
    expect(decodePacket(with_(1, 2), view)).to.equal('version')
    expect(decodePacket(with_(3, 7), view)).to.equal('malformed')
    expect(decodePacket(with_(14, 0), view)).to.equal('malformed')
    expect(decodePacket(probe('node-a', 0, 0), view)).to.equal('malformed')
    expect(decodePacket(Buffer.alloc(MAX_PACKET_BYTES + 1), view)).to.equal('oversized')
  })

  it('the mac verifies with the key and fails with another key, a change or no mac', () => {
    const view = createPacketView()
    const signed = probe('node-a', 1, 2, KEY)
    decodePacket(signed, view)
    expect(verifyPacket(signed, view, KEY)).to.equal(true)
    expect(verifyPacket(signed, view, Buffer.from('z'.repeat(32)))).to.equal(false)
    const tampered = Buffer.from(signed)
    tampered[6]! ^= 1
    decodePacket(tampered, view)
    expect(verifyPacket(tampered, view, KEY)).to.equal(false)
    const bare = probe('node-a', 1, 2)
    decodePacket(bare, view)
    expect(verifyPacket(bare, view, KEY)).to.equal(false)
    const newer = Buffer.from(signed)
    newer[newer.length - 8]! ^= 1 // the send time is under the mac too
    expect(decodePacket(newer, view)).to.equal(undefined)
    expect(verifyPacket(newer, view, KEY)).to.equal(false)
  })

  it('keyed packets need freshness fields in range: not zero, a safe send time, and the old mac-only layout is malformed', () => {
    const view = createPacketView()
    const signed = probe('node-a', 1, 2, KEY)
    expect(decodePacket(signed, view)).to.equal(undefined)
    expect(view).to.include({ checkerLo: 7, checkerHi: 8, sentAtMs: 1_700_000_000_123 })
    expect(decodePacket(signed.subarray(0, signed.length - 18), view)).to.equal('malformed')
    for (const [lo, hi, at] of [[0, 0, 1], [1, 0, 0], [1, 0, 2 ** 53]] as const) {
      const t = packetTemplate(KIND_PROBE, Buffer.from('node-a'))
      writeNonce(t, 1, 2)
      if (at < 2 ** 53) writeFreshness(t, lo, hi, at)
      else { writeFreshness(t, lo, hi, 1); t.writeUInt32LE(0x200000, t.length - 4) }
      expect(decodePacket(t.subarray(0, sealPacket(t, KEY)), view)).to.equal('malformed')
    }
    const max = packetTemplate(KIND_PROBE, Buffer.from('node-a'))
    writeNonce(max, 1, 2)
    writeFreshness(max, 0xffffffff, 0xffffffff, Number.MAX_SAFE_INTEGER)
    expect(decodePacket(max.subarray(0, sealPacket(max, KEY)), view)).to.equal(undefined)
    expect(view.sentAtMs).to.equal(Number.MAX_SAFE_INTEGER)
  })

  it('no sequence of bytes makes the decoder throw or point outside the packet', () => {
    const view = createPacketView()
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), bytes => {
      if (decodePacket(bytes, view) === undefined) {
        expect(view.idEnd).to.be.at.most(bytes.length)
        expect(view.macStart + 32).to.be.at.most(bytes.length)
      }
    }), { numRuns: 2000 })
  })
})
