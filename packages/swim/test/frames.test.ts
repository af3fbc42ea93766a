import { expect } from 'chai'
import fc from 'fast-check'
import { DecodeError } from '@clusterfunk/core'
import { encodeFrame, FrameError, FrameReader, framePlaintext, splitPlaintext, STREAM_PUSH_PULL } from '../src/index.js'

describe('stream frames', () => {
  it('frames come back whole however the stream is cut into chunks', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 50 })), (payloads, cuts) => {
      const stream = Buffer.concat(payloads.map(encodeFrame))
      const reader = new FrameReader(1000)
      const out: Buffer[] = []
      let at = 0
      for (let i = 0; at < stream.length; i++) {
        const size = cuts.length === 0 ? stream.length : (cuts[i % cuts.length] as number)
        out.push(...reader.push(stream.subarray(at, at + size)))
        at += size
      }
      expect(out.map(b => Buffer.from(b))).to.deep.equal(payloads.map(p => Buffer.from(p)))
      expect(reader.pending).to.equal(0)
    }))
  })

  it('a length claim over the limit is rejected from the header alone', () => {
    const reader = new FrameReader(1000)
    const header = Buffer.alloc(4)
    header.writeUInt32BE(0xffffffff, 0)
    expect(() => reader.push(header)).to.throw(FrameError).with.property('reason', 'oversize')
  })

  it('an empty frame is rejected', () => {
    expect(() => new FrameReader(1000).push(Buffer.alloc(4))).to.throw(FrameError).with.property('reason', 'empty')
  })

  it('a frame split mid-header waits for the rest', () => {
    const reader = new FrameReader(1000)
    const frame = encodeFrame(Buffer.from('hello'))
    expect(reader.push(frame.subarray(0, 2))).to.deep.equal([])
    expect(reader.pending).to.equal(2)
    expect(reader.push(frame.subarray(2)).map(b => b.toString())).to.deep.equal(['hello'])
  })

  it('the plaintext of a frame is a kind byte and a body; unknown kinds are a DecodeError', () => {
    const plain = framePlaintext(STREAM_PUSH_PULL, Buffer.from([9, 8]))
    expect(splitPlaintext(plain)).to.deep.equal({ kind: STREAM_PUSH_PULL, body: Buffer.from([9, 8]) })
    expect(() => splitPlaintext(Buffer.from([0, 1]))).to.throw(DecodeError)
    expect(() => splitPlaintext(Buffer.alloc(0))).to.throw(DecodeError)
  })
})
