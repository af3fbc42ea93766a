import { expect } from 'chai'
import fc from 'fast-check'
import { RespReader, encodeCommand, encodeFrame, type RespFrame } from '../src/index.js'

const text = fc.string({ maxLength: 20 }).map(s => s.replace(/[\r\n]/g, ' '))
const bytes = fc.uint8Array({ maxLength: 40 }).map(b => Buffer.from(b))

/** Any frame the writer can encode, RESP2 and RESP3, nested a few levels. */
const frameArb: fc.Arbitrary<RespFrame> = fc.letrec<{ frame: RespFrame }>(tie => ({
  frame: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text.map(value => ({ type: 'simple', value }) as RespFrame),
    text.map(value => ({ type: 'error', value }) as RespFrame),
    fc.maxSafeInteger().map(value => ({ type: 'integer', value }) as RespFrame),
    fc.option(bytes, { nil: null }).map(value => ({ type: 'bulk', value }) as RespFrame),
    fc.constant({ type: 'null' } as RespFrame),
    fc.double().map(value => ({ type: 'double', value }) as RespFrame),
    fc.boolean().map(value => ({ type: 'boolean', value }) as RespFrame),
    fc.bigInt().map(value => ({ type: 'bignum', value }) as RespFrame),
    bytes.map(value => ({ type: 'bulkError', value }) as RespFrame),
    fc.tuple(fc.constantFrom('txt', 'mkd'), bytes).map(([format, value]) => ({ type: 'verbatim', format, value }) as RespFrame),
    fc.option(fc.array(tie('frame'), { maxLength: 4 }), { nil: null }).map(value => ({ type: 'array', value }) as RespFrame),
    fc.array(tie('frame'), { maxLength: 4 }).map(value => ({ type: 'set', value }) as RespFrame),
    fc.array(tie('frame'), { maxLength: 4 }).map(value => ({ type: 'push', value }) as RespFrame),
    fc.array(fc.tuple(tie('frame'), tie('frame')), { maxLength: 3 }).map(value => ({ type: 'map', value }) as RespFrame)
  )
})).frame

const command = fc.array(bytes, { minLength: 1, maxLength: 6 })

/** Feeds `stream` cut at `cuts` and returns every frame (fails on a protocol error). */
function readSplit (reader: RespReader, stream: Buffer, cuts: number[]): RespFrame[] {
  const points = [...new Set(cuts.map(c => c % (stream.length + 1)))].sort((a, b) => a - b)
  const frames: RespFrame[] = []
  let at = 0
  for (const p of [...points, stream.length]) {
    const r = reader.push(stream.subarray(at, p))
    if (r.error !== undefined) throw r.error
    frames.push(...r.frames)
    at = p
  }
  return frames
}

describe('RespReader', () => {
  describe('round trips', () => {
    it('reads back every frame the writer encodes (client mode)', () => {
      fc.assert(fc.property(frameArb, (frame) => {
        const r = new RespReader({ mode: 'client' }).push(encodeFrame(frame))
        expect(r.error).to.equal(undefined)
        expect(r.frames).to.deep.equal([frame])
      }), { numRuns: 500 })
    })

    it('reads pipelined commands in order, however the stream is split', () => {
      fc.assert(fc.property(fc.array(command, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (commands, cuts) => {
        const stream = Buffer.concat(commands.map(c => encodeCommand(c)))
        const frames = readSplit(new RespReader(), stream, cuts)
        expect(frames).to.deep.equal(commands.map(c => ({ type: 'array', value: c.map(value => ({ type: 'bulk', value })) })))
      }), { numRuns: 300 })
    })

    it('any split of a stream of nested frames parses the same as the whole', () => {
      fc.assert(fc.property(fc.array(frameArb, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 20 }), (list, cuts) => {
        const stream = Buffer.concat(list.map(encodeFrame))
        expect(readSplit(new RespReader({ mode: 'client' }), stream, cuts)).to.deep.equal(list)
      }), { numRuns: 300 })
    })

    it('byte by byte gives the same commands', () => {
      const stream = Buffer.concat([encodeCommand(['SET', 'k', 'v'.repeat(300)]), Buffer.from('PING\r\n'), encodeCommand(['GET', 'k'])])
      const reader = new RespReader()
      const frames: RespFrame[] = []
      for (let i = 0; i < stream.length; i++) frames.push(...reader.push(stream.subarray(i, i + 1)).frames)
      expect(frames.map(f => f.type === 'array' ? f.value?.map(x => x.type === 'bulk' ? x.value?.toString() : '') : [])).to.deep.equal([
        ['SET', 'k', 'v'.repeat(300)], ['PING'], ['GET', 'k']
      ])
    })
  })

  describe('inline commands', () => {
    const args = (line: string): string[] => {
      const r = new RespReader().push(Buffer.from(line))
      if (r.error !== undefined) throw r.error
      const f = r.frames[0]
      return f?.type === 'array' ? (f.value ?? []).map(x => x.type === 'bulk' ? String(x.value) : '?') : []
    }

    it('splits on whitespace and ends at LF or CRLF', () => {
      expect(args('SET  key value\r\n')).to.deep.equal(['SET', 'key', 'value'])
      expect(args('PING\n')).to.deep.equal(['PING'])
    })

    it('takes double and single quotes with escapes', () => {
      expect(args('SET k "a b\\n\\x41"\r\n')).to.deep.equal(['SET', 'k', 'a b\nA'])
      expect(args("SET k 'it\\'s'\r\n")).to.deep.equal(['SET', 'k', "it's"])
    })

    it('skips empty lines', () => {
      const r = new RespReader().push(Buffer.from('\r\n\r\nPING\r\n'))
      expect(r.frames).to.have.length(1)
    })

    it('refuses unbalanced quotes', () => {
      expect(new RespReader().push(Buffer.from('SET k "abc\r\n')).error?.name).to.equal('RespProtocolError')
    })
  })

  describe('bounds', () => {
    it('refuses a bulk length above maxBulkBytes before any body arrives', () => {
      const r = new RespReader({ maxBulkBytes: 1024 }).push(Buffer.from('*1\r\n$1025\r\n'))
      expect(r.error?.message).to.match(/bulk length/)
    })

    it('refuses a huge bulk length', () => {
      expect(new RespReader().push(Buffer.from('*1\r\n$99999999999999\r\n')).error?.name).to.equal('RespProtocolError')
      expect(new RespReader().push(Buffer.from('*1\r\n$99999999999999999999999\r\n')).error?.name).to.equal('RespProtocolError')
    })

    it('refuses an array length above maxArrayElements', () => {
      expect(new RespReader({ maxArrayElements: 10 }).push(Buffer.from('*11\r\n')).error?.message).to.match(/multibulk length/)
    })

    it('refuses nesting deeper than maxNesting', () => {
      const deep = Buffer.from('*1\r\n'.repeat(10) + ':1\r\n')
      expect(new RespReader({ maxNesting: 5 }).push(deep).error?.message).to.match(/nested/)
      expect(new RespReader({ maxNesting: 11 }).push(deep).error).to.equal(undefined)
    })

    it('refuses an inline line longer than maxInlineBytes, also before its end arrives', () => {
      expect(new RespReader({ maxInlineBytes: 100 }).push(Buffer.from('x'.repeat(200))).error?.message).to.match(/inline/)
    })

    it('refuses more pending bytes than maxPendingBytes', () => {
      const reader = new RespReader({ maxPendingBytes: 1000, maxBulkBytes: 100 })
      let error: Error | undefined
      for (let i = 0; i < 20 && error === undefined; i++) error = reader.push(Buffer.from(i === 0 ? '*100\r\n' : '$99\r\n' + 'x'.repeat(99) + '\r\n')).error
      expect(error?.message).to.match(/exceeds/)
      expect(reader.pendingBytes).to.equal(0)
    })

    it('reports frames before the bad one, then stays failed', () => {
      const reader = new RespReader()
      const r = reader.push(Buffer.concat([encodeCommand(['PING']), Buffer.from('*1\r\n:x\r\n')]))
      expect(r.frames).to.have.length(1)
      expect(r.error?.name).to.equal('RespProtocolError')
      expect(reader.failed).to.equal(true)
      expect(reader.push(encodeCommand(['PING'])).frames).to.have.length(0)
    })

    it('never throws and never holds more than its bound, whatever the bytes', () => {
      fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), fc.constantFrom<'client' | 'server'>('client', 'server'), (chunks, mode) => {
        const reader = new RespReader({ mode, maxPendingBytes: 256, maxBulkBytes: 64, maxInlineBytes: 128 })
        for (const c of chunks) {
          const r = reader.push(c)
          expect(reader.pendingBytes).to.be.at.most(256)
          if (r.error !== undefined) break
        }
      }), { numRuns: 1000 })
    })

    it('a truncated frame is incomplete, not an error', () => {
      fc.assert(fc.property(frameArb, fc.nat(), (frame, cut) => {
        const bytes = encodeFrame(frame)
        const r = new RespReader({ mode: 'client' }).push(bytes.subarray(0, cut % bytes.length))
        expect(r.error).to.equal(undefined)
        expect(r.frames).to.deep.equal([])
      }), { numRuns: 300 })
    })
  })
})
