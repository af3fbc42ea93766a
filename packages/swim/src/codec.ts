import { checkCounter, DecodeError, INCARNATIONS } from '@clusterfunk/core'
import { loadType } from '@clusterfunk/proto'
import { scanPacket, scanPushPull } from './wire-scan.js'
import type { MemberStatus, PushPullMember, PushPullState, SimpleMessage, Tags, UserEventMessage } from './messages.js'

/**
 * Bytes ⇄ typed messages for proto/swim.proto. Pure functions; decoding is
 * defensive: anything malformed, too large, of another protocol version or
 * missing required fields throws `DecodeError`, and nothing is allocated
 * beyond what the input bytes themselves hold.
 */

/** The wire version this code speaks (proto `ProtocolVersion`). */
export const PROTOCOL_VERSION = 1

/** Longest member id or address accepted from the wire, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 512
/** Largest datagram `decodePacket` accepts. */
export const MAX_PACKET_BYTES = 65_507
/** Largest push/pull state `decodePushPull` accepts by default. */
export const MAX_PUSH_PULL_BYTES = 16 * 1024 * 1024
/**
 * Most members one push/pull state may list: far above any SWIM cluster
 * (a full state is sent every push/pull), and low enough that the decoded
 * state stays in the tens of MiB.
 */
export const MAX_PUSH_PULL_MEMBERS = 65_536
/**
 * Most tags one member (an alive message, a push/pull member) may carry.
 * Their bytes are bounded by `maxTagsBytes` (4 KiB) once decoded; this
 * bounds the entries the decoder builds before that check.
 */
export const MAX_MEMBER_TAGS = 512
/** Most messages one packet may hold (a datagram, or the oversized broadcasts of one stream: at most one per member). */
export const MAX_PACKET_MESSAGES = MAX_PUSH_PULL_MEMBERS
/** Most user events one push/pull state may carry (a sender keeps `recentUserMessages` of them). */
export const MAX_PUSH_PULL_EVENTS = 16_384

const PacketType = loadType('swim.proto', 'clusterfunk.swim.Packet')
const MessageType = loadType('swim.proto', 'clusterfunk.swim.Message')
const PushPullType = loadType('swim.proto', 'clusterfunk.swim.PushPull')

const statusToWire: Record<MemberStatus, number> = { alive: 1, suspect: 2, dead: 3, left: 4 }
const statusFromWire: ReadonlyArray<MemberStatus | undefined> = [undefined, 'alive', 'suspect', 'dead', 'left']

type Wire = Record<string, unknown>

function tagsToWire (tags: Tags): Record<string, string> {
  return Object.fromEntries(tags)
}

function toWire (m: SimpleMessage): Wire {
  switch (m.type) {
    case 'ping': return { ping: { seq: m.seq, target: m.target, source: m.source, sourceAddress: m.sourceAddress } }
    case 'indirect-ping': return {
      indirectPing: { seq: m.seq, target: m.target, targetAddress: m.targetAddress, wantNack: m.wantNack, source: m.source, sourceAddress: m.sourceAddress }
    }
    case 'ack': return { ack: { seq: m.seq, source: m.source } }
    case 'nack': return { nack: { seq: m.seq, source: m.source } }
    case 'suspect': return { suspect: { node: m.node, incarnation: m.incarnation, from: m.from } }
    case 'alive': return { alive: { node: m.node, incarnation: m.incarnation, address: m.address, tags: tagsToWire(m.tags) } }
    case 'dead': return { dead: { node: m.node, incarnation: m.incarnation, from: m.from } }
    case 'user-event': return { userEvent: { ltime: m.ltime, origin: m.origin, name: m.name, payload: m.payload, coalesce: m.coalesce } }
    case 'query': return {
      query: {
        ltime: m.ltime,
        id: m.id,
        origin: m.origin,
        originAddress: m.originAddress,
        name: m.name,
        payload: m.payload,
        filterNodes: [...m.filterNodes],
        filterTags: tagsToWire(m.filterTags),
        timeoutMs: m.timeoutMs,
        wantAck: m.wantAck
      }
    }
    case 'query-response': return { queryResponse: { id: m.id, ltime: m.ltime, from: m.from, ack: m.ack, payload: m.payload } }
  }
}

/** Most members one query may name in its node filter (the packet bounds the bytes). */
export const MAX_QUERY_FILTER_NODES = 512

function bytes (v: unknown, field: string): Uint8Array {
  // protobufjs leaves an absent bytes field at its default, an empty array.
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return new Uint8Array(0)
  if (!(v instanceof Uint8Array)) throw new DecodeError(`${field} is not bytes`)
  // A plain view (the decoder hands out Buffers), so a decoded message equals the one encoded.
  return new Uint8Array(v.buffer, v.byteOffset, v.length)
}

function names (v: unknown, field: string): string[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw new DecodeError(`${field} is not a list`)
  if (v.length > MAX_QUERY_FILTER_NODES) throw new DecodeError(`${field} holds more than ${MAX_QUERY_FILTER_NODES} names`)
  return v.map((x, i) => name(x, `${field}[${i}]`))
}

function name (v: unknown, field: string, allowEmpty = false): string {
  if (typeof v !== 'string') throw new DecodeError(`${field} is not a string`)
  if (!allowEmpty && v.length === 0) throw new DecodeError(`${field} is empty`)
  if (Buffer.byteLength(v, 'utf8') > MAX_NAME_BYTES) throw new DecodeError(`${field} is longer than ${MAX_NAME_BYTES} bytes`)
  return v
}

function u32 (v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new DecodeError(`${field} is not a uint32`)
  return v
}

/** An incarnation: in `INCARNATIONS` (uint32 on the wire, but the top value is refused so a refutation above any accepted one still fits). */
function incarnation (v: unknown, field: string): number {
  return checkCounter(INCARNATIONS, u32(v, field), field)
}

function tagsFromWire (v: unknown): Map<string, string> {
  const tags = new Map<string, string>()
  if (v === undefined || v === null) return tags
  if (typeof v !== 'object') throw new DecodeError('tags is not a map')
  const keys = Object.keys(v)
  if (keys.length > MAX_MEMBER_TAGS) throw new DecodeError(`more than ${MAX_MEMBER_TAGS} tags`)
  for (const key of keys) {
    const value = (v as Record<string, unknown>)[key]
    if (typeof value !== 'string') throw new DecodeError(`tag ${key} is not a string`)
    tags.set(key, value)
  }
  return tags
}

function fromWire (w: Wire): SimpleMessage {
  const body = w.body
  const b = (typeof body === 'string' ? w[body] : undefined) as Wire | undefined
  if (b === undefined || b === null) throw new DecodeError('message has no body')
  switch (body) {
    case 'ping': return { type: 'ping', seq: u32(b.seq, 'ping.seq'), target: name(b.target, 'ping.target'), source: name(b.source, 'ping.source'), sourceAddress: name(b.sourceAddress, 'ping.sourceAddress', true) }
    case 'indirectPing': return {
      type: 'indirect-ping',
      seq: u32(b.seq, 'indirectPing.seq'),
      target: name(b.target, 'indirectPing.target'),
      targetAddress: name(b.targetAddress, 'indirectPing.targetAddress'),
      wantNack: b.wantNack === true,
      source: name(b.source, 'indirectPing.source'),
      sourceAddress: name(b.sourceAddress, 'indirectPing.sourceAddress', true)
    }
    case 'ack': return { type: 'ack', seq: u32(b.seq, 'ack.seq'), source: name(b.source, 'ack.source', true) }
    case 'nack': return { type: 'nack', seq: u32(b.seq, 'nack.seq'), source: name(b.source, 'nack.source', true) }
    case 'suspect': return { type: 'suspect', node: name(b.node, 'suspect.node'), incarnation: incarnation(b.incarnation, 'suspect.incarnation'), from: name(b.from, 'suspect.from') }
    case 'alive': return { type: 'alive', node: name(b.node, 'alive.node'), incarnation: incarnation(b.incarnation, 'alive.incarnation'), address: name(b.address, 'alive.address'), tags: tagsFromWire(b.tags) }
    case 'dead': return { type: 'dead', node: name(b.node, 'dead.node'), incarnation: incarnation(b.incarnation, 'dead.incarnation'), from: name(b.from, 'dead.from') }
    case 'userEvent': return {
      type: 'user-event',
      ltime: u32(b.ltime, 'userEvent.ltime'),
      origin: name(b.origin, 'userEvent.origin'),
      name: name(b.name, 'userEvent.name'),
      payload: bytes(b.payload, 'userEvent.payload'),
      coalesce: b.coalesce === true
    }
    case 'query': return {
      type: 'query',
      ltime: u32(b.ltime, 'query.ltime'),
      id: u32(b.id, 'query.id'),
      origin: name(b.origin, 'query.origin'),
      originAddress: name(b.originAddress, 'query.originAddress'),
      name: name(b.name, 'query.name'),
      payload: bytes(b.payload, 'query.payload'),
      filterNodes: names(b.filterNodes, 'query.filterNodes'),
      filterTags: tagsFromWire(b.filterTags),
      timeoutMs: u32(b.timeoutMs, 'query.timeoutMs'),
      wantAck: b.wantAck === true
    }
    case 'queryResponse': return {
      type: 'query-response',
      id: u32(b.id, 'queryResponse.id'),
      ltime: u32(b.ltime, 'queryResponse.ltime'),
      from: name(b.from, 'queryResponse.from'),
      ack: b.ack === true,
      payload: bytes(b.payload, 'queryResponse.payload')
    }
    default: throw new DecodeError(`unknown message ${String(body)}`)
  }
}

function checkVersion (v: unknown): void {
  if (v !== PROTOCOL_VERSION) throw new DecodeError(`unsupported protocol version ${String(v)}`)
}

function decodeWith (type: typeof PacketType, bytes: Uint8Array, max: number): Wire {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('input is not bytes')
  if (bytes.length > max) throw new DecodeError(`input of ${bytes.length} bytes is larger than ${max}`)
  try {
    return type.decode(bytes) as unknown as Wire
  } catch (err) {
    throw new DecodeError(`malformed ${type.name}: ${(err as Error).message}`, { cause: err })
  }
}

/** Bytes of one message inside a packet, without its field header. */
export function messageSize (message: SimpleMessage): number {
  return MessageType.encode(MessageType.fromObject(toWire(message))).finish().length
}

function varintSize (n: number): number {
  let size = 1
  while (n >= 0x80) { n = Math.floor(n / 0x80); size++ }
  return size
}

/** Bytes a packet header takes (the version field). */
export const PACKET_HEADER_BYTES = 2

/** Bytes a message of `size` bytes adds to a packet: field tag, length, body. */
export function packedMessageSize (size: number): number {
  return 1 + varintSize(size) + size
}

/** Exact encoded size of a packet holding messages of the given sizes. */
export function packetSize (messageSizes: readonly number[]): number {
  return messageSizes.reduce((sum, s) => sum + packedMessageSize(s), PACKET_HEADER_BYTES)
}

/** Encodes messages as one datagram. */
export function encodePacket (messages: readonly SimpleMessage[]): Uint8Array {
  return PacketType.encode(PacketType.fromObject({ version: PROTOCOL_VERSION, messages: messages.map(toWire) })).finish()
}

/** Decodes one datagram into its messages. Throws `DecodeError` on anything malformed. */
export function decodePacket (bytes: Uint8Array, maxBytes = MAX_PACKET_BYTES): SimpleMessage[] {
  if (bytes instanceof Uint8Array && bytes.length <= maxBytes) scanPacket(bytes, { maxItems: MAX_PACKET_MESSAGES, maxTags: MAX_MEMBER_TAGS })
  const w = decodeWith(PacketType, bytes, maxBytes)
  checkVersion(w.version)
  const list = w.messages
  if (!Array.isArray(list) || list.length === 0) throw new DecodeError('packet holds no messages')
  if (list.length > MAX_PACKET_MESSAGES) throw new DecodeError(`packet holds more than ${MAX_PACKET_MESSAGES} messages`)
  return list.map(m => fromWire(m as Wire))
}

/** Encodes a push/pull state. */
export function encodePushPull (state: PushPullState): Uint8Array {
  return PushPullType.encode(PushPullType.fromObject({
    version: PROTOCOL_VERSION,
    join: state.join,
    members: state.members.map(m => ({ node: m.node, address: m.address, incarnation: m.incarnation, status: statusToWire[m.status], tags: tagsToWire(m.tags) })),
    events: (state.events ?? []).map(e => toWire(e).userEvent),
    eventLtime: state.eventLtime ?? 0,
    queryLtime: state.queryLtime ?? 0
  })).finish()
}

/** Decodes a push/pull state. Throws `DecodeError` on anything malformed. */
export function decodePushPull (bytes: Uint8Array, maxBytes = MAX_PUSH_PULL_BYTES): PushPullState {
  if (bytes instanceof Uint8Array && bytes.length <= maxBytes) scanPushPull(bytes, { maxItems: MAX_PUSH_PULL_MEMBERS, maxTags: MAX_MEMBER_TAGS, maxEvents: MAX_PUSH_PULL_EVENTS })
  const w = decodeWith(PushPullType, bytes, maxBytes)
  checkVersion(w.version)
  const list = Array.isArray(w.members) ? w.members as Wire[] : []
  if (list.length > MAX_PUSH_PULL_MEMBERS) throw new DecodeError(`push/pull holds more than ${MAX_PUSH_PULL_MEMBERS} members`)
  const members = list.map((m): PushPullMember => {
    const status = statusFromWire[typeof m.status === 'number' ? m.status : 0]
    if (status === undefined) throw new DecodeError(`member ${String(m.node)} has no valid status`)
    return { node: name(m.node, 'member.node'), address: name(m.address, 'member.address'), incarnation: incarnation(m.incarnation, 'member.incarnation'), status, tags: tagsFromWire(m.tags) }
  })
  const wireEvents = Array.isArray(w.events) ? w.events as Wire[] : []
  if (wireEvents.length > MAX_PUSH_PULL_EVENTS) throw new DecodeError(`push/pull holds more than ${MAX_PUSH_PULL_EVENTS} events`)
  const events = wireEvents.map(e => fromWire({ body: 'userEvent', userEvent: e }) as UserEventMessage)
  return { join: w.join === true, members, events, eventLtime: u32(w.eventLtime ?? 0, 'eventLtime'), queryLtime: u32(w.queryLtime ?? 0, 'queryLtime') }
}
