import { InvalidArgumentError } from '@clusterfunk/core'
import { xxHash32 } from 'js-xxhash'
import { HASH_SEED } from './constants.js'
import { checkShardCount } from './validate.js'

/**
 * The stable key hash: XXH32 (https://github.com/Cyan4973/xxHash, spec in
 * doc/xxhash_spec.md) with seed 0 over the key's canonical bytes:
 * - a string: its UTF-8 encoding (as TextEncoder writes it: a lone surrogate
 *   becomes U+FFFD),
 * - a Uint8Array (or Buffer): its bytes,
 * - a number: must be a safe integer; its 8-byte little-endian two's
 *   complement (int64) form. -0 is 0.
 *
 * Byte strings go to js-xxhash. Two inputs are hashed here instead, because
 * copying them into bytes first costs more than the hash (measured in the
 * README): ASCII strings, read straight from their UTF-16 units (which equal
 * their UTF-8 bytes), and integers, whose 8 bytes are two 32-bit lanes. The
 * tests check both against js-xxhash on the same bytes.
 */

const P1 = 0x9E3779B1
const P2 = 0x85EBCA77
const P3 = 0xC2B2AE3D
const P4 = 0x27D4EB2F
const P5 = 0x165667B1

const TWO_32 = 4294967296
const encoder = new TextEncoder()
const scratch = new Uint8Array(3 * 1024)

function rotl (x: number, r: number): number {
  return (x << r) | (x >>> (32 - r))
}

function round (acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1)
}

function avalanche (h: number): number {
  h ^= h >>> 15
  h = Math.imul(h, P2)
  h ^= h >>> 13
  h = Math.imul(h, P3)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * XXH32 of a string's units taken as bytes, which are its UTF-8 bytes when
 * every unit is below 0x80; returns -1 otherwise. The ASCII check is folded
 * into the one pass (OR of every unit) because a separate scan cost about
 * as much as the hash.
 */
function xxh32Ascii (s: string, seed: number): number {
  const len = s.length
  let seen = 0
  let i = 0
  let h: number
  if (len >= 16) {
    let v1 = (seed + P1 + P2) | 0
    let v2 = (seed + P2) | 0
    let v3 = seed | 0
    let v4 = (seed - P1) | 0
    for (; i <= len - 16; i += 16) {
      let a = s.charCodeAt(i); let b = s.charCodeAt(i + 1); let c = s.charCodeAt(i + 2); let d = s.charCodeAt(i + 3)
      seen |= a | b | c | d
      v1 = round(v1, a | (b << 8) | (c << 16) | (d << 24))
      a = s.charCodeAt(i + 4); b = s.charCodeAt(i + 5); c = s.charCodeAt(i + 6); d = s.charCodeAt(i + 7)
      seen |= a | b | c | d
      v2 = round(v2, a | (b << 8) | (c << 16) | (d << 24))
      a = s.charCodeAt(i + 8); b = s.charCodeAt(i + 9); c = s.charCodeAt(i + 10); d = s.charCodeAt(i + 11)
      seen |= a | b | c | d
      v3 = round(v3, a | (b << 8) | (c << 16) | (d << 24))
      a = s.charCodeAt(i + 12); b = s.charCodeAt(i + 13); c = s.charCodeAt(i + 14); d = s.charCodeAt(i + 15)
      seen |= a | b | c | d
      v4 = round(v4, a | (b << 8) | (c << 16) | (d << 24))
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0
  } else {
    h = (seed + P5) | 0
  }
  h = (h + len) | 0
  for (; i + 4 <= len; i += 4) {
    const a = s.charCodeAt(i); const b = s.charCodeAt(i + 1); const c = s.charCodeAt(i + 2); const d = s.charCodeAt(i + 3)
    seen |= a | b | c | d
    h = Math.imul(rotl((h + Math.imul(a | (b << 8) | (c << 16) | (d << 24), P3)) | 0, 17), P4)
  }
  for (; i < len; i++) {
    const c = s.charCodeAt(i)
    seen |= c
    h = Math.imul(rotl((h + Math.imul(c, P5)) | 0, 11), P1)
  }
  return seen > 0x7f ? -1 : avalanche(h)
}

/** XXH32 of the 8-byte little-endian form of a safe integer. */
function xxh32Int (n: number, seed: number): number {
  const hi = Math.floor(n / TWO_32)
  const lo = (n - hi * TWO_32) | 0
  let h = (seed + P5 + 8) | 0
  h = Math.imul(rotl((h + Math.imul(lo, P3)) | 0, 17), P4)
  h = Math.imul(rotl((h + Math.imul(hi | 0, P3)) | 0, 17), P4)
  return avalanche(h)
}

function xxh32Utf8 (s: string): number {
  if (s.length <= 1024) {
    const { written } = encoder.encodeInto(s, scratch)
    return xxHash32(scratch.subarray(0, written), HASH_SEED)
  }
  return xxHash32(encoder.encode(s), HASH_SEED)
}

/** A key that maps to a shard: see {@link hashKey} for the canonical forms. */
export type ShardKey = string | Uint8Array | number

/**
 * The 32-bit XXH32 (seed 0) of a key's canonical bytes. Stable across
 * platforms and versions: changing it would move every key.
 * @throws InvalidArgumentError for a number that is not a safe integer, or a key of another type
 */
export function hashKey (key: ShardKey): number {
  if (typeof key === 'string') {
    const h = xxh32Ascii(key, HASH_SEED)
    return h >= 0 ? h : xxh32Utf8(key)
  }
  if (typeof key === 'number') {
    if (!Number.isSafeInteger(key)) throw new InvalidArgumentError(`a number key must be a safe integer, got ${String(key)}`)
    return xxh32Int(key, HASH_SEED)
  }
  if (key instanceof Uint8Array) return xxHash32(key, HASH_SEED)
  throw new InvalidArgumentError(`a key must be a string, a Uint8Array or a safe integer, got ${typeof key}`)
}

/**
 * The shard of a key in a map of `shardCount` shards: `hashKey(key) % shardCount`.
 * (The modulo bias is below 2^-12 relative for any allowed shard count.)
 */
export function shardForKey (key: ShardKey, shardCount: number): number {
  checkShardCount(shardCount)
  return hashKey(key) % shardCount
}
