import { expect } from 'chai'
import fc from 'fast-check'
import { DecodeError, INCARNATIONS } from '@clusterfunk/core'
import {
  checkHead, createSealer, decodePacket, decodePushPull, encodeFrame, encodePacket, encodePushPull, encrypt, FrameError, FrameReader, generateKey,
  headPlaintext, Keyring, MAX_MEMBER_TAGS, MAX_NAME_BYTES, MAX_PACKET_MESSAGES, MAX_PUSH_PULL_BYTES, MAX_PUSH_PULL_MEMBERS, MAX_SEQ,
  MAX_STREAM_BODY_BYTES, readFreshness, readHead, ReplayGuard, STREAM_ACK, STREAM_MESSAGES, STREAM_PING, STREAM_PUSH_PULL, StreamDropError,
  StreamReader, type StreamKind
} from '../src/index.js'

/**
 * Every number on the wire in range: each SWIM decoder driven
 * with the boundary values of each number it reads (0, max − 1, max,
 * max + 1, 2³², the first unsafe integer 2⁵³, 2⁶⁴ − 1, and −1 as protobuf
 * writes it). No throw but `DecodeError` escapes; a value out of range is
 * refused, never wrapped into range.
 */

const FIRST_UNSAFE = 2n ** 53n
const U64_MAX = 2n ** 64n - 1n
/** −1 as an int32/enum field puts it on the wire: ten bytes, 2⁶⁴ − 1. */
const MINUS_ONE = U64_MAX

function boundaries (max: number): bigint[] {
  const m = BigInt(max)
  return [0n, 1n, m - 1n, m, m + 1n, 2n ** 32n, 2n ** 32n + 5n, FIRST_UNSAFE - 1n, FIRST_UNSAFE, U64_MAX, MINUS_ONE]
}

// A minimal protobuf writer, so the tests can put on the wire what the codec's encoder never would.
function varint (v: bigint): Buffer {
  const out: number[] = []
  do {
    let byte = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) byte |= 0x80
    out.push(byte)
  } while (v > 0n)
  return Buffer.from(out)
}
const num = (field: number, v: bigint): Buffer => Buffer.concat([varint(BigInt(field * 8)), varint(v)])
const len = (field: number, body: Uint8Array): Buffer => Buffer.concat([varint(BigInt(field * 8 + 2)), varint(BigInt(body.length)), body])
const str = (field: number, s: string): Buffer => len(field, Buffer.from(s))
const tagEntries = (field: number, n: number): Buffer => Buffer.concat(Array.from({ length: n }, (_, i) => len(field, Buffer.concat([str(1, `k${i}`), str(2, 'v')]))))

/** A packet of one message of `kind` whose number (seq or incarnation) is `v` on the wire. */
function packetWith (kind: 'ping' | 'ack' | 'nack' | 'indirect-ping' | 'suspect' | 'alive' | 'dead', v: bigint): Buffer {
  let message: Buffer
  switch (kind) {
    case 'ping': message = len(1, Buffer.concat([num(1, v), str(2, 't'), str(3, 's'), str(4, '127.0.0.1:1')])); break
    case 'indirect-ping': message = len(2, Buffer.concat([num(1, v), str(2, 't'), str(3, '127.0.0.1:2'), str(5, 's'), str(6, '127.0.0.1:1')])); break
    case 'ack': message = len(3, Buffer.concat([num(1, v), str(2, 's')])); break
    case 'nack': message = len(4, Buffer.concat([num(1, v), str(2, 's')])); break
    case 'suspect': message = len(5, Buffer.concat([str(1, 'n'), num(2, v), str(3, 'f')])); break
    case 'alive': message = len(6, Buffer.concat([str(1, 'n'), num(2, v), str(3, '127.0.0.1:1')])); break
    case 'dead': message = len(7, Buffer.concat([str(1, 'n'), num(2, v), str(3, 'f')])); break
  }
  return Buffer.concat([num(1, 1n), len(2, message)])
}

/** A push/pull whose one member has incarnation `incarnation` and status `status` on the wire. */
function pushPullWith (incarnation: bigint, status = 1n): Buffer {
  return Buffer.concat([num(1, 1n), len(3, Buffer.concat([str(1, 'n'), str(2, '127.0.0.1:1'), num(3, incarnation), num(4, status)]))])
}

/** Runs `fn`; returns 'ok' or 'refused', and fails on any throw that is not a DecodeError. */
function outcome (fn: () => unknown): 'ok' | 'refused' {
  try {
    fn()
    return 'ok'
  } catch (err) {
    expect(err).to.be.instanceOf(DecodeError)
    return 'refused'
  }
}

const seqKinds = ['ping', 'ack', 'nack', 'indirect-ping'] as const
const incarnationKinds = ['suspect', 'alive', 'dead'] as const

describe('SWIM decoders at the boundaries of every number', () => {
  it('seq numbers: 0..2³² − 1 decode as themselves; anything above (2³², 2⁵³, 2⁶⁴ − 1, −1) is refused, never truncated', () => {
    fc.assert(fc.property(fc.constantFrom(...seqKinds), fc.oneof(fc.constantFrom(...boundaries(MAX_SEQ)), fc.bigInt({ min: 0n, max: U64_MAX })), (kind, v) => {
      const result = outcome(() => decodePacket(packetWith(kind, v)))
      expect(result).to.equal(v <= BigInt(MAX_SEQ) ? 'ok' : 'refused')
      if (result === 'ok') expect((decodePacket(packetWith(kind, v))[0] as { seq: number }).seq).to.equal(Number(v))
    }), { numRuns: 500 })
  })

  it('incarnations: 0..INCARNATIONS.max decode; max + 1 (0xffffffff), 2³² + 5 (which a uint32 decoder reads as 5), 2⁵³ and −1 are refused', () => {
    fc.assert(fc.property(fc.constantFrom(...incarnationKinds), fc.oneof(fc.constantFrom(...boundaries(INCARNATIONS.max)), fc.bigInt({ min: 0n, max: U64_MAX })), (kind, v) => {
      const inRange = v <= BigInt(INCARNATIONS.max)
      expect(outcome(() => decodePacket(packetWith(kind, v)))).to.equal(inRange ? 'ok' : 'refused')
      expect(outcome(() => decodePushPull(pushPullWith(v)))).to.equal(inRange ? 'ok' : 'refused')
    }), { numRuns: 500 })
    expect(() => decodePacket(packetWith('dead', 2n ** 32n + 5n))).to.throw(DecodeError, /varint/)
  })

  it('push/pull member status: 1..4 decode, 0, 5, 2³² and −1 are refused', () => {
    for (const [status, ok] of [[0n, false], [1n, true], [4n, true], [5n, false], [2n ** 32n, false], [MINUS_ONE, false]] as const) {
      expect(outcome(() => decodePushPull(pushPullWith(1n, status))), String(status)).to.equal(ok ? 'ok' : 'refused')
    }
  })

  it('name lengths: 1..512 bytes decode, 0 (where a name is required) and 513 are refused', () => {
    for (const [n, ok] of [[0, false], [1, true], [MAX_NAME_BYTES - 1, true], [MAX_NAME_BYTES, true], [MAX_NAME_BYTES + 1, false]] as const) {
      const bytes = Buffer.concat([num(1, 1n), len(2, len(7, Buffer.concat([str(1, 'x'.repeat(n)), num(2, 1n), str(3, 'f')])))])
      expect(outcome(() => decodePacket(bytes)), String(n)).to.equal(ok ? 'ok' : 'refused')
    }
  })

  it(`a push/pull lists at most MAX_PUSH_PULL_MEMBERS (${MAX_PUSH_PULL_MEMBERS}) members`, () => {
    const members = (n: number): Parameters<typeof encodePushPull>[0] => ({
      join: false,
      members: Array.from({ length: n }, (_, i) => ({ node: `n${i}`, address: 'a', incarnation: 0, status: 'alive' as const, tags: new Map() }))
    })
    expect(decodePushPull(encodePushPull(members(MAX_PUSH_PULL_MEMBERS))).members).to.have.length(MAX_PUSH_PULL_MEMBERS)
    expect(() => decodePushPull(encodePushPull(members(MAX_PUSH_PULL_MEMBERS + 1)))).to.throw(DecodeError, /more than 65536 members/)
    // Empty entries, the cheapest way to make the decoder build objects: refused from the count alone.
    const empties = Buffer.concat([num(1, 1n), Buffer.alloc(2 * (MAX_PUSH_PULL_MEMBERS + 1)).fill(len(3, Buffer.alloc(0)))])
    expect(() => decodePushPull(empties)).to.throw(DecodeError, /more than/)
  })

  it(`a member carries at most MAX_MEMBER_TAGS (${MAX_MEMBER_TAGS}) tags, in a push/pull and in an alive message`, () => {
    const member = (n: number): Buffer => Buffer.concat([num(1, 1n), len(3, Buffer.concat([str(1, 'n'), str(2, 'a'), num(3, 1n), num(4, 1n), tagEntries(5, n)]))])
    expect(decodePushPull(member(MAX_MEMBER_TAGS)).members[0]?.tags.size).to.equal(MAX_MEMBER_TAGS)
    expect(() => decodePushPull(member(MAX_MEMBER_TAGS + 1))).to.throw(DecodeError, /tags/)
    const aliveWith = (n: number): Buffer => Buffer.concat([num(1, 1n), len(2, len(6, Buffer.concat([str(1, 'n'), num(2, 1n), str(3, 'a'), tagEntries(4, n)])))])
    expect(decodePacket(aliveWith(MAX_MEMBER_TAGS), MAX_PUSH_PULL_BYTES)).to.have.length(1)
    expect(() => decodePacket(aliveWith(MAX_MEMBER_TAGS + 1), MAX_PUSH_PULL_BYTES)).to.throw(DecodeError, /tags/)
  })

  it(`a packet holds at most MAX_PACKET_MESSAGES (${MAX_PACKET_MESSAGES}) messages, even a streamed one of 16 MiB`, () => {
    const acks = (n: number): Uint8Array => encodePacket(Array.from({ length: n }, () => ({ type: 'ack' as const, seq: 1, source: 's' })))
    expect(decodePacket(acks(MAX_PACKET_MESSAGES), MAX_PUSH_PULL_BYTES)).to.have.length(MAX_PACKET_MESSAGES)
    expect(() => decodePacket(acks(MAX_PACKET_MESSAGES + 1), MAX_PUSH_PULL_BYTES)).to.throw(DecodeError, /more than/)
  })

  it('truncated or malformed protobuf (cut at any byte, a bad wire type, a length past the end) is refused', () => {
    const whole = packetWith('alive', 7n)
    expect(outcome(() => decodePacket(whole))).to.equal('ok')
    fc.assert(fc.property(fc.integer({ min: 0, max: whole.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: whole.length - 1 }), (cut, byte, at) => {
      outcome(() => decodePacket(whole.subarray(0, cut)))
      const flipped = Buffer.from(whole)
      flipped[at] = byte
      outcome(() => decodePacket(flipped))
      outcome(() => decodePushPull(flipped))
    }), { numRuns: 1000 })
  })
})

describe('the sealed freshness header at its boundaries', () => {
  /** A header with raw numbers and name lengths, as a forger holding the key could seal it. */
  function header (senderLength: number, recipientLength: number, epoch: bigint, seq: bigint, sentAt: bigint): Buffer {
    const out = Buffer.alloc(2 + senderLength + 2 + recipientLength + 24 + 3, 0x61)
    let at = out.writeUInt16BE(senderLength, 0) + senderLength
    at = out.writeUInt16BE(recipientLength, at) + recipientLength
    for (const v of [epoch, seq, sentAt]) at = out.writeBigUInt64BE(v, at)
    return out
  }
  const u64 = fc.oneof(fc.constantFrom(0n, 1n, FIRST_UNSAFE - 2n, FIRST_UNSAFE - 1n, FIRST_UNSAFE, U64_MAX), fc.bigInt({ min: 0n, max: U64_MAX }))
  const nameLength = fc.constantFrom(0, 1, MAX_NAME_BYTES - 1, MAX_NAME_BYTES, MAX_NAME_BYTES + 1, 65_535)

  it('names of 1..512 bytes and numbers up to 2⁵³ − 1 are read; anything else is a DecodeError, through the sealer too; the replay guard takes what is read', () => {
    const keyring = new Keyring([generateKey()])
    const sealer = createSealer({ keyring, label: undefined, sender: 'x', epoch: 1, wallNow: () => 0 })
    const guard = new ReplayGuard({ windowSize: 64, maxAgeMs: 30_000, maxStrangers: 4 })
    fc.assert(fc.property(nameLength, nameLength, u64, u64, u64, (s, r, epoch, seq, sentAt) => {
      const plain = header(s, r, epoch, seq, sentAt)
      const ok = s >= 1 && s <= MAX_NAME_BYTES && r >= 1 && r <= MAX_NAME_BYTES && epoch < FIRST_UNSAFE && seq < FIRST_UNSAFE && sentAt < FIRST_UNSAFE
      expect(outcome(() => readFreshness(plain))).to.equal(ok ? 'ok' : 'refused')
      expect(outcome(() => sealer.open(encrypt(keyring, undefined, plain)))).to.equal(ok ? 'ok' : 'refused')
      if (ok) {
        const { freshness, payload } = readFreshness(plain)
        expect(payload).to.have.length(3)
        expect(['stale', 'replay', undefined]).to.include(guard.accept(freshness, Number(sentAt), true))
      }
    }), { numRuns: 400 })
  })

  it('a header cut at any byte is a DecodeError', () => {
    const plain = header(3, 5, 1n, 2n, 3n)
    for (let cut = 0; cut < plain.length - 3; cut++) expect(outcome(() => readFreshness(plain.subarray(0, cut))), String(cut)).to.equal('refused')
  })
})

describe('stream heads and frames at their boundaries', () => {
  const kinds: StreamKind[] = [STREAM_PING, STREAM_ACK, STREAM_PUSH_PULL, STREAM_MESSAGES]
  const plain = createSealer({ keyring: undefined, label: undefined, sender: 'x', epoch: 1, wallNow: () => 0 })

  it('a head announcing 0 is empty, up to its kind\'s limit is taken, one byte more is oversize, up to 2³² − 1', () => {
    for (const kind of kinds) {
      const max = MAX_STREAM_BODY_BYTES[kind]
      for (const length of [0, 1, max - 1, max, max + 1, 0xffff_ffff]) {
        const reader = new StreamReader(plain, () => undefined)
        reader.append(encodeFrame(headPlaintext(kind, length)))
        let reason: string | undefined
        try {
          const head = reader.head()
          expect(head).to.include({ kind, length })
          checkHead(head as NonNullable<typeof head>, kind)
        } catch (err) {
          expect(err).to.be.instanceOf(StreamDropError)
          reason = (err as StreamDropError).reason
        }
        expect(reason, `kind ${kind}, ${length} bytes`).to.equal(length === 0 ? 'empty' : length > max ? 'oversize' : undefined)
      }
    }
  })

  it('head plaintexts of any size and kind byte either read or throw DecodeError; frame lengths 0, max, max + 1 and 2³² − 1 are checked from the 4 length bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => { outcome(() => readHead(bytes)) }), { numRuns: 500 })
    for (const [length, expected] of [[0, 'empty'], [1000, undefined], [1001, 'oversize'], [0xffff_ffff, 'oversize']] as const) {
      const reader = new FrameReader(1000)
      const prefix = Buffer.alloc(4)
      prefix.writeUInt32BE(length)
      reader.append(prefix)
      let reason: string | undefined
      try {
        expect(reader.next()).to.equal(undefined) // the body is not in yet: nothing reserved for it
      } catch (err) {
        expect(err).to.be.instanceOf(FrameError)
        reason = (err as FrameError).reason
      }
      expect(reason, String(length)).to.equal(expected)
    }
  })

  it('a head and any body bytes, cut anywhere, through the stream reader (keyed or not): only StreamDropError escapes', () => {
    const keyring = new Keyring([generateKey()])
    const sealer = createSealer({ keyring, label: undefined, sender: 'x', epoch: 1, wallNow: () => 0 })
    fc.assert(fc.property(fc.boolean(), fc.uint8Array({ maxLength: 200 }), fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 8 }), (keyed, junk, cuts) => {
      const s = keyed ? sealer : plain
      const reader = new StreamReader(s, () => undefined)
      const bytes = Buffer.concat([encodeFrame(s.seal(headPlaintext(STREAM_PUSH_PULL, junk.length + 1), 'r')), Buffer.from(junk)])
      let at = 0
      let thrown: unknown
      let body: Uint8Array | undefined
      try {
        for (const cut of [...cuts, bytes.length]) {
          reader.append(bytes.subarray(at, at + cut))
          at += cut
          const head = reader.head()
          if (head !== undefined) {
            checkHead(head, 'request')
            body = reader.body(head)
            break
          }
        }
      } catch (err) {
        thrown = err
      }
      if (thrown !== undefined) expect(thrown).to.be.instanceOf(StreamDropError)
      // Junk never opens as a sealed body; in clear it is handed on (for the decoder to refuse) once complete.
      expect(keyed && body !== undefined).to.equal(false)
    }), { numRuns: 500 })
  })
})
