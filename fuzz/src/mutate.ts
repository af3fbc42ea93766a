import { INCARNATIONS, LOG_INDEXES, MAP_VERSIONS, TERMS, type Random } from '@clusterfunk/core'
import { protobuf } from '@clusterfunk/proto'

/** `n` random bytes from `random` (so a seed reproduces them). */
export function randomBytesFrom (random: Random, n: number): Buffer {
  const out = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) out[i] = random.int(0, 255)
  return out
}

/** A protobuf varint of a non-negative integer up to 2^53. */
export function varint (n: number): Buffer {
  const out: number[] = []
  let v = n
  while (v >= 0x80) { out.push((v % 0x80) | 0x80); v = Math.floor(v / 0x80) }
  out.push(v)
  return Buffer.from(out)
}

// protobufjs reads a decimal string for a 64-bit field, so the type's maximum needs no Long here.
const U64_MAX = '18446744073709551615'

/**
 * Boundary values for a numeric field of protobuf type `type`: 0, 1, the
 * ends of every counter range the protocols check (max − 1, max), the first
 * unsafe integer, the type's own maximum and a negative value (which
 * encodes as a huge unsigned one).
 */
export function boundaryValues (type: string): Array<number | string> {
  const counters = [TERMS, LOG_INDEXES, INCARNATIONS, MAP_VERSIONS].flatMap(r => [r.max - 1, r.max, r.max + 1])
  switch (type) {
    case 'uint32': case 'fixed32':
      return [0, 1, 0x7fff_ffff, 0xffff_fffe, 0xffff_ffff, INCARNATIONS.max, INCARNATIONS.max - 1, -1]
    case 'int32': case 'sint32': case 'sfixed32': case 'enum':
      return [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 99]
    default: // 64-bit kinds
      return [0, 1, ...counters, Number.MAX_SAFE_INTEGER, 2 ** 53, U64_MAX, -1]
  }
}

/** Strings a decoder must survive: empty, long, non-ASCII, control characters, a lone surrogate. */
const HOSTILE_STRINGS = ['', 'nö', 'x'.repeat(600), 'a\u0000b\r\n', '\ud800', '../../etc/passwd', '🙂'.repeat(40), 'n1']

/**
 * A copy of `message` (a plain object valid for `type`) with one field set
 * to a hostile value: a boundary number, a hostile string, empty or oversized
 * bytes, a repeated field with many copies, an unknown enum value.
 */
export function mutateField (random: Random, type: protobuf.Type, message: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(message)
  // Walk down a random path of set sub-messages, then mutate one field there.
  let t = type
  let target = out
  for (let depth = 0; depth < 4; depth++) {
    const subs = t.fieldsArray.filter(f => f.resolvedType instanceof protobuf.Type && !f.repeated && !f.map && typeof target[f.name] === 'object' && target[f.name] !== null)
    if (subs.length === 0 || random.chance(0.4)) break
    const f = random.pick(subs)
    t = f.resolvedType as protobuf.Type
    target = target[f.name] as Record<string, unknown>
  }
  const fields = t.fieldsArray
  if (fields.length === 0) return out
  const f = random.pick(fields)
  if (f.map) {
    const many: Record<string, string> = {}
    for (let i = 0; i < random.int(1, 300); i++) many[`${random.pick(HOSTILE_STRINGS)}${i}`] = random.pick(HOSTILE_STRINGS)
    target[f.name] = many
  } else if (f.repeated) {
    const item = Array.isArray(target[f.name]) && (target[f.name] as unknown[]).length > 0 ? (target[f.name] as unknown[])[0] : undefined
    target[f.name] = item === undefined ? [] : Array.from({ length: random.pick([0, 1, 1000, 5000]) }, () => item)
  } else if (f.resolvedType instanceof protobuf.Enum) {
    target[f.name] = random.pick([0, 99, -1, 2 ** 31 - 1])
  } else if (f.resolvedType instanceof protobuf.Type) {
    target[f.name] = random.chance(0.5) ? {} : undefined
  } else if (f.type === 'string') {
    target[f.name] = random.pick(HOSTILE_STRINGS)
  } else if (f.type === 'bytes') {
    target[f.name] = random.pick([Buffer.alloc(0), Buffer.alloc(random.int(1, 64), 0xff), Buffer.alloc(70_000, 1)])
  } else if (f.type === 'bool') {
    target[f.name] = random.chance(0.5)
  } else {
    target[f.name] = random.pick(boundaryValues(f.type))
  }
  return out
}

/** Encodes `message` as `type`; protobufjs wraps out-of-range numbers as the wire would. */
export function encode (type: protobuf.Type, message: Record<string, unknown>): Buffer {
  return Buffer.from(type.encode(type.fromObject(message)).finish())
}

/**
 * Byte-level damage to a valid encoding: truncate, flip bits, splice random
 * bytes, duplicate, or append a length-delimited field claiming a huge length.
 */
export function mutateBytes (random: Random, bytes: Buffer): Buffer {
  switch (random.int(0, 5)) {
    case 0: return bytes.subarray(0, random.int(0, Math.max(0, bytes.length - 1)))
    case 1: {
      const out = Buffer.from(bytes)
      for (let i = 0; i < random.int(1, 4) && out.length > 0; i++) {
        const at = random.int(0, out.length - 1)
        out[at] = (out[at] as number) ^ (1 << random.int(0, 7))
      }
      return out
    }
    case 2: {
      const at = random.int(0, bytes.length)
      return Buffer.concat([bytes.subarray(0, at), randomBytesFrom(random, random.int(1, 16)), bytes.subarray(at)])
    }
    case 3: return Buffer.concat([bytes, bytes])
    case 4: return Buffer.concat([bytes, Buffer.from([(random.int(1, 15) << 3) | 2]), varint(random.pick([0x7fff_ffff, 0xffff_ffff, 2 ** 40])), randomBytesFrom(random, 8)])
    default: return Buffer.concat([bytes.subarray(0, 2), randomBytesFrom(random, random.int(0, 40))])
  }
}

/** One structured input: a valid message with a hostile field, sometimes also damaged at the byte level. */
export function structuredInput (random: Random, type: protobuf.Type, sample: Record<string, unknown>): Buffer {
  let bytes: Buffer
  try {
    bytes = encode(type, mutateField(random, type, sample))
  } catch {
    bytes = encode(type, sample)
  }
  return random.chance(0.3) ? mutateBytes(random, bytes) : bytes
}
