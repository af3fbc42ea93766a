import { DecodeError } from '@clusterfunk/core'

/**
 * A pass over the raw protobuf bytes of a `Packet` or a `PushPull` before
 * they are decoded (every number on the wire has a checked range):
 *
 * - counts are capped before anything is allocated for them: the protobuf
 *   decoder builds every repeated element and map entry it finds, so a
 *   16 MiB push/pull of empty entries would otherwise become millions of
 *   objects before a single check ran;
 * - every varint must fit in 32 bits: each varint field of swim.proto is a
 *   uint32, a bool or a small enum, and the decoder would silently keep the
 *   low 32 bits of a larger one (2³² + 5 read as 5), so a number out of range
 *   on the wire could pass as one in range.
 *
 * It reads field keys and lengths only; it allocates nothing per field.
 */

/** What a scan checks, and how much of each repeated thing it allows. */
interface Limits {
  /** Elements of the top-level repeated field (messages of a packet, members of a push/pull). */
  maxItems: number
  /** Tag entries in one message or member. */
  maxTags: number
  /** User events of a push/pull. */
  maxEvents?: number
}

const WIRE_VARINT = 0
const WIRE_FIXED64 = 1
const WIRE_BYTES = 2
const WIRE_FIXED32 = 5

class Cursor {
  pos: number
  constructor (readonly bytes: Uint8Array, readonly start: number, readonly end: number) {
    this.pos = start
  }

  get done (): boolean {
    return this.pos >= this.end
  }

  /** A varint; throws for a truncated one or one above `max` (at most 2⁵³ − 1). */
  varint (max: number, what: string): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new DecodeError(`truncated varint in ${what}`)
      const byte = this.bytes[this.pos++] as number
      value += (byte & 0x7f) * scale
      if (value > max) throw new DecodeError(`${what}: varint above ${max}`)
      if ((byte & 0x80) === 0) return value
      scale *= 128
    }
    throw new DecodeError(`varint of more than 10 bytes in ${what}`)
  }

  skip (n: number, what: string): void {
    if (n > this.end - this.pos) throw new DecodeError(`truncated field in ${what}`)
    this.pos += n
  }
}

const U32_MAX = 0xffff_ffff

/** Calls `visit` with each field's number and, for length-delimited ones, a cursor over its bytes. */
function fields (c: Cursor, what: string, visit: (field: number, body: Cursor | undefined) => void): void {
  while (!c.done) {
    const key = c.varint(U32_MAX, what)
    const field = Math.floor(key / 8)
    const wire = key % 8
    if (field === 0) throw new DecodeError(`field number 0 in ${what}`)
    switch (wire) {
      case WIRE_VARINT: c.varint(U32_MAX, what); visit(field, undefined); break
      case WIRE_FIXED64: c.skip(8, what); visit(field, undefined); break
      case WIRE_FIXED32: c.skip(4, what); visit(field, undefined); break
      case WIRE_BYTES: {
        const length = c.varint(c.end - c.pos, `the length of a field in ${what}`)
        const body = new Cursor(c.bytes, c.pos, c.pos + length)
        c.pos += length
        visit(field, body)
        break
      }
      default: throw new DecodeError(`wire type ${wire} in ${what}`)
    }
  }
}

/** Checks one message body (`Ping`, `Alive`, `MemberState`, ...): 32-bit varints, at most `maxTags` entries of `tagsField`. */
function scanBody (c: Cursor, what: string, tagsField: number | undefined, maxTags: number): void {
  let tags = 0
  fields(c, what, (field, body) => {
    if (field !== tagsField || body === undefined) return
    if (++tags > maxTags) throw new DecodeError(`${what} holds more than ${maxTags} tags`)
  })
}

/** `Message.body` is one of fields 1..10 (`Ping` .. `QueryResponse`); `Alive` is 6, its tags field 4; `Query` is 9, its tag filter field 8. */
const LAST_BODY_FIELD = 10
const ALIVE_FIELD = 6
const ALIVE_TAGS_FIELD = 4
const QUERY_FIELD = 9
const QUERY_TAGS_FIELD = 8
/** `Packet.messages` is field 2; `PushPull.members` is field 3, `MemberState.tags` field 5. */
const PACKET_MESSAGES_FIELD = 2
const PUSH_PULL_MEMBERS_FIELD = 3
const MEMBER_TAGS_FIELD = 5
/** `PushPull.events` is field 4. */
const PUSH_PULL_EVENTS_FIELD = 4

/** Throws `DecodeError` when a `Packet` holds over `maxItems` messages, an alive over `maxTags` tags, or a varint over 32 bits. */
export function scanPacket (bytes: Uint8Array, limits: Limits): void {
  let messages = 0
  fields(new Cursor(bytes, 0, bytes.length), 'Packet', (field, body) => {
    if (field !== PACKET_MESSAGES_FIELD || body === undefined) return
    if (++messages > limits.maxItems) throw new DecodeError(`packet holds more than ${limits.maxItems} messages`)
    fields(body, 'Message', (kind, inner) => {
      if (inner === undefined || kind < 1 || kind > LAST_BODY_FIELD) return
      scanBody(inner, 'a message', kind === ALIVE_FIELD ? ALIVE_TAGS_FIELD : kind === QUERY_FIELD ? QUERY_TAGS_FIELD : undefined, limits.maxTags)
    })
  })
}

/** Throws `DecodeError` when a `PushPull` holds over `maxItems` members, a member over `maxTags` tags, or a varint over 32 bits. */
export function scanPushPull (bytes: Uint8Array, limits: Limits): void {
  let members = 0
  let events = 0
  fields(new Cursor(bytes, 0, bytes.length), 'PushPull', (field, body) => {
    if (field === PUSH_PULL_EVENTS_FIELD && body !== undefined) {
      if (++events > (limits.maxEvents ?? 0)) throw new DecodeError(`push/pull holds more than ${limits.maxEvents ?? 0} events`)
      scanBody(body, 'an event', undefined, limits.maxTags)
      return
    }
    if (field !== PUSH_PULL_MEMBERS_FIELD || body === undefined) return
    if (++members > limits.maxItems) throw new DecodeError(`push/pull holds more than ${limits.maxItems} members`)
    scanBody(body, 'a member', MEMBER_TAGS_FIELD, limits.maxTags)
  })
}
