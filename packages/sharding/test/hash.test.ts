import { InvalidArgumentError } from '@clusterfunk/core'
import { expect } from 'chai'
import fc from 'fast-check'
import { xxHash32 } from 'js-xxhash'
import { ShardMap, hashKey, shardForKey } from '../src/index.js'
import { expectThrows } from './helpers.js'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const int64le = (n: number): Uint8Array => {
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setBigInt64(0, BigInt(n), true)
  return bytes
}

// Golden values computed with an independent XXH32 (the native Rust xxhash
// of @node-rs/xxhash), seed 0. If one changes, every key moves shard.
const STRING_GOLDEN: Array<[string, number]> = [
  ['', 0x02cc5d05],
  ['abc', 0x32d153ff],
  ['Nobody inspects the spammish repetition', 0xe2293b2f],
  ['user:42', 0xf64fdf97],
  ['ünïcødé-ключ', 0x1840f8a5],
  ['🎉party', 0xfd6a0322]
]
const INT_GOLDEN: Array<[number, number]> = [
  [0, 0xdeb39513],
  [1, 0x08ed6331],
  [-1, 0xc182c6d9],
  [123456789, 0x5d15d52f],
  [Number.MAX_SAFE_INTEGER, 0xba8458c9],
  [Number.MIN_SAFE_INTEGER, 0xe1152203]
]

describe('key hashing', () => {
  it('hashes strings to the golden XXH32 values of their UTF-8 bytes', () => {
    for (const [key, hash] of STRING_GOLDEN) expect(hashKey(key), key).to.equal(hash)
  })

  it('hashes integers to the golden XXH32 values of their int64 little-endian bytes', () => {
    for (const [key, hash] of INT_GOLDEN) expect(hashKey(key), String(key)).to.equal(hash)
  })

  it('hashes bytes to the golden XXH32 value', () => {
    expect(hashKey(Uint8Array.from({ length: 16 }, (_, i) => i))).to.equal(0xb72837f4)
  })

  it('maps golden keys to the expected shard of 10 000', () => {
    expect(shardForKey('abc', 10_000)).to.equal(9327)
    expect(shardForKey('ünïcødé-ключ', 10_000)).to.equal(1141)
    expect(shardForKey(123456789, 10_000)).to.equal(1919)
  })

  it('hashes an ASCII string like its UTF-8 bytes, at every length', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 80 }), (s) => {
      expect(hashKey(s)).to.equal(xxHash32(utf8(s), 0))
    }), { numRuns: 500 })
  })

  it('hashes a non-ASCII string like its UTF-8 bytes', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), (s) => {
      expect(hashKey(s)).to.equal(xxHash32(utf8(s), 0))
    }), { numRuns: 500 })
  })

  it('hashes a long non-ASCII string like its UTF-8 bytes', () => {
    const s = 'ключ-'.repeat(400)
    expect(hashKey(s)).to.equal(xxHash32(utf8(s), 0))
  })

  it('hashes a lone surrogate like U+FFFD, as TextEncoder writes it', () => {
    expect(hashKey('a\ud800b')).to.equal(hashKey('a\ufffdb'))
  })

  it('hashes a safe integer like its 8-byte little-endian form', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => {
      expect(hashKey(n)).to.equal(xxHash32(int64le(n), 0))
    }), { numRuns: 500 })
  })

  it('hashes -0 like 0', () => {
    expect(hashKey(-0)).to.equal(hashKey(0))
  })

  it('hashes a Buffer like the same bytes in a Uint8Array', () => {
    expect(hashKey(Buffer.from('hello'))).to.equal(hashKey(utf8('hello')))
  })

  it('rejects numbers that are not safe integers', () => {
    for (const n of [1.5, Number.NaN, Infinity, 2 ** 53]) {
      expectThrows(() => hashKey(n), InvalidArgumentError, 'must be a safe integer')
    }
  })

  it('rejects keys of other types', () => {
    expectThrows(() => hashKey(10n as unknown as number), InvalidArgumentError, 'got bigint')
  })

  it('rejects an invalid shard count in shardForKey', () => {
    expectThrows(() => shardForKey('a', 0), InvalidArgumentError, 'shardCount')
  })

  it('gives the same shard from a map as from shardForKey, always in range', () => {
    const map = ShardMap.init(977, ['a', 'b'])
    fc.assert(fc.property(fc.oneof(fc.string(), fc.maxSafeInteger(), fc.uint8Array()), (key) => {
      const shard = map.shardFor(key)
      expect(shard).to.equal(shardForKey(key, 977))
      expect(shard).to.be.within(0, 976)
    }), { numRuns: 300 })
  })
})
