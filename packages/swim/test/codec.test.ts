import { expect } from 'chai'
import fc from 'fast-check'
import { DecodeError } from '@clusterfunk/core'
import { loadType } from '@clusterfunk/proto'
import { decodePacket, decodePushPull, encodePacket, encodePushPull, messageSize, packetSize } from '../src/codec.js'
import { pushPullState, simpleMessage } from './arbitraries.js'

describe('codec', () => {
  it('a packet of messages decodes to the same messages', () => {
    fc.assert(fc.property(fc.array(simpleMessage, { minLength: 1, maxLength: 8 }), (messages) => {
      expect(decodePacket(encodePacket(messages))).to.deep.equal(messages)
    }))
  })

  it('a push/pull state decodes to the same state', () => {
    fc.assert(fc.property(pushPullState, (state) => {
      expect(decodePushPull(encodePushPull(state))).to.deep.equal(state)
    }))
  })

  it('the predicted packet size is the encoded size', () => {
    fc.assert(fc.property(fc.array(simpleMessage, { minLength: 1, maxLength: 8 }), (messages) => {
      expect(encodePacket(messages).length).to.equal(packetSize(messages.map(messageSize)))
    }))
  })

  it('random bytes either decode or throw DecodeError, never anything else', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        decodePacket(bytes)
      } catch (err) {
        expect(err).to.be.instanceOf(DecodeError)
      }
      try {
        decodePushPull(bytes)
      } catch (err) {
        expect(err).to.be.instanceOf(DecodeError)
      }
    }), { numRuns: 2000 })
  })

  it('truncated packets throw DecodeError', () => {
    const bytes = encodePacket([{ type: 'alive', node: 'n1', incarnation: 3, address: '10.0.0.1:7946', tags: new Map([['ep.raft', '10.0.0.1:9000']]) }])
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(() => decodePacket(bytes.subarray(0, cut))).to.throw(DecodeError)
    }
  })

  it('a length prefix larger than the input throws DecodeError without allocating it', () => {
    // field 2 (messages), wire type 2, length varint 0xffffffff (4 GiB)
    const bytes = Uint8Array.from([0x08, 0x01, 0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])
    expect(() => decodePacket(bytes)).to.throw(DecodeError)
  })

  it('a packet of another protocol version throws DecodeError', () => {
    const Packet = loadType('swim.proto', 'clusterfunk.swim.Packet')
    const bytes = Packet.encode(Packet.fromObject({ version: 2, messages: [{ ack: { seq: 1, source: 'x' } }] })).finish()
    expect(() => decodePacket(bytes)).to.throw(DecodeError, /version/)
  })

  it('a message without a body throws DecodeError', () => {
    const Packet = loadType('swim.proto', 'clusterfunk.swim.Packet')
    const bytes = Packet.encode(Packet.fromObject({ version: 1, messages: [{}] })).finish()
    expect(() => decodePacket(bytes)).to.throw(DecodeError, /body/)
  })

  it('an input larger than the limit throws DecodeError before decoding', () => {
    expect(() => decodePacket(new Uint8Array(2000), 1400)).to.throw(DecodeError, /larger/)
  })

  it('a member with an unknown status throws DecodeError', () => {
    const PushPull = loadType('swim.proto', 'clusterfunk.swim.PushPull')
    const bytes = PushPull.encode(PushPull.fromObject({ version: 1, members: [{ node: 'a', address: 'x', incarnation: 1, status: 9 }] })).finish()
    expect(() => decodePushPull(bytes)).to.throw(DecodeError, /status/)
  })
})
