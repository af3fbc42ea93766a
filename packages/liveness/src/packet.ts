import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * The liveness packet, hand-encoded in the exact canonical protobuf layout of
 * `clusterfunk.liveness.Packet` (proto/liveness.proto). The message is tiny
 * and fixed, every field is always present, so the canonical encoding is one
 * layout; the tests check it byte for byte against protobufjs. Decoding is a
 * few byte comparisons and allocates nothing.
 */

/** The protocol version this code speaks. */
export const PROTOCOL_VERSION = 1
/** `Kind.KIND_PROBE` */
export const KIND_PROBE = 1
/** `Kind.KIND_REPLY` */
export const KIND_REPLY = 2
/** Longest node id, in UTF-8 bytes (keeps its length a one-byte varint). */
export const MAX_NODE_ID_BYTES = 127
/** Length of the HMAC-SHA256 tag. */
export const MAC_BYTES = 32
/** Bytes of the freshness fields a keyed packet carries after its mac: `checker` and `sent_at_ms`, fixed64 each. */
export const FRESHNESS_BYTES = 18
/** Largest valid packet: fixed fields, the longest id, a mac and the freshness fields. */
export const MAX_PACKET_BYTES = 15 + MAX_NODE_ID_BYTES + 2 + MAC_BYTES + FRESHNESS_BYTES

const TAG_VERSION = 0x08
const TAG_KIND = 0x10
const TAG_NONCE = 0x19
const TAG_TARGET = 0x22
const TAG_MAC = 0x2a
const TAG_CHECKER = 0x31
const TAG_SENT_AT = 0x39
/** Bytes a keyed packet adds after fields 1–4: the mac field and the freshness fields. */
const KEYED_TAIL_BYTES = 2 + MAC_BYTES + FRESHNESS_BYTES
/** Offset of the id bytes; everything before it has a fixed size. */
const ID_OFFSET = 15

/** Why a datagram was dropped. */
export type DropReason =
  | 'oversized' // longer than any valid packet
  | 'malformed' // not the canonical layout of a Packet
  | 'version' // another protocol version
  | 'kind' // a reply sent to an endpoint, or a probe sent to a checker
  | 'auth' // missing or wrong mac while a key is set
  | 'wrong-node' // meant for another node id (endpoint) or for no tracked node (checker)
  | 'source' // a reply from an address other than the node's
  | 'unmatched' // a reply whose nonce is not the outstanding one (late, replayed or forged)
  | 'replay' // an authentic probe this endpoint already answered (or older than the checker's last)
  | 'stale' // an authentic probe sent outside the endpoint's time window
  | 'busy' // an authentic probe from a new checker while the endpoint's checker table is full of live ones

/** Every drop reason, for counters that start at 0. */
export const DROP_REASONS: readonly DropReason[] = ['oversized', 'malformed', 'version', 'kind', 'auth', 'wrong-node', 'source', 'unmatched', 'replay', 'stale', 'busy']

/** A decoded packet, as offsets into the datagram (reused between packets). */
export interface PacketView {
  kind: number
  nonceLo: number
  nonceHi: number
  idStart: number
  idEnd: number
  /** End of the authenticated bytes (fields 1–4). */
  bodyEnd: number
  /** Offset of the 32 tag bytes, or -1 when the packet carries no mac. */
  macStart: number
  /** Keyed packets: the checker's random id (two halves, never both 0) and the send time (wall-clock ms). 0 without a mac. */
  checkerLo: number
  checkerHi: number
  sentAtMs: number
}

/** A fresh view to pass to `decodePacket` again and again. */
export function createPacketView (): PacketView {
  return { kind: 0, nonceLo: 0, nonceHi: 0, idStart: 0, idEnd: 0, bodyEnd: 0, macStart: -1, checkerLo: 0, checkerHi: 0, sentAtMs: 0 }
}

/**
 * Reads `buf` into `view`. Returns the reason it is not a valid packet, or
 * undefined. Never throws and never reads past `buf`.
 */
export function decodePacket (buf: Uint8Array, view: PacketView): DropReason | undefined {
  const len = buf.length
  if (len > MAX_PACKET_BYTES) return 'oversized'
  if (len < ID_OFFSET + 1 || buf[0] !== TAG_VERSION) return 'malformed'
  if (buf[1] !== PROTOCOL_VERSION) return 'version'
  if (buf[2] !== TAG_KIND || buf[4] !== TAG_NONCE || buf[13] !== TAG_TARGET) return 'malformed'
  const kind = buf[3] as number
  if (kind !== KIND_PROBE && kind !== KIND_REPLY) return 'malformed'
  const idLen = buf[14] as number
  if (idLen === 0 || idLen > MAX_NODE_ID_BYTES) return 'malformed'
  const bodyEnd = ID_OFFSET + idLen
  let macStart = -1
  let checkerLo = 0
  let checkerHi = 0
  let sentAtMs = 0
  if (len === bodyEnd + KEYED_TAIL_BYTES && buf[bodyEnd] === TAG_MAC && buf[bodyEnd + 1] === MAC_BYTES) {
    macStart = bodyEnd + 2
    const f = macStart + MAC_BYTES
    if (buf[f] !== TAG_CHECKER || buf[f + 9] !== TAG_SENT_AT) return 'malformed'
    checkerLo = readU32(buf, f + 1)
    checkerHi = readU32(buf, f + 5)
    const sentLo = readU32(buf, f + 10)
    const sentHi = readU32(buf, f + 14)
    // proto3 omits zeros, and a send time must be a safe integer of milliseconds.
    if ((checkerLo === 0 && checkerHi === 0) || (sentLo === 0 && sentHi === 0) || sentHi >= 0x200000) return 'malformed'
    sentAtMs = sentHi * 0x1_0000_0000 + sentLo
  } else if (len !== bodyEnd) {
    return 'malformed'
  }
  const nonceLo = readU32(buf, 5)
  const nonceHi = readU32(buf, 9)
  if (nonceLo === 0 && nonceHi === 0) return 'malformed' // proto3 would omit a zero nonce
  view.kind = kind
  view.nonceLo = nonceLo
  view.nonceHi = nonceHi
  view.idStart = ID_OFFSET
  view.idEnd = bodyEnd
  view.bodyEnd = bodyEnd
  view.macStart = macStart
  view.checkerLo = checkerLo
  view.checkerHi = checkerHi
  view.sentAtMs = sentAtMs
  return undefined
}

function readU32 (buf: Uint8Array, at: number): number {
  return ((buf[at] as number) | (buf[at + 1] as number) << 8 | (buf[at + 2] as number) << 16 | (buf[at + 3] as number) << 24) >>> 0
}

/**
 * Writes the fixed part of a packet for `idBytes` into a new buffer big
 * enough for a mac and the freshness fields; `writeNonce`, `writeFreshness`
 * (keyed) and `sealPacket` fill in the rest.
 */
export function packetTemplate (kind: number, idBytes: Uint8Array): Buffer {
  if (idBytes.length === 0 || idBytes.length > MAX_NODE_ID_BYTES) throw new RangeError(`a node id takes 1..${MAX_NODE_ID_BYTES} UTF-8 bytes`)
  const buf = Buffer.alloc(ID_OFFSET + idBytes.length + KEYED_TAIL_BYTES)
  buf[0] = TAG_VERSION
  buf[1] = PROTOCOL_VERSION
  buf[2] = TAG_KIND
  buf[3] = kind
  buf[4] = TAG_NONCE
  buf[13] = TAG_TARGET
  buf[14] = idBytes.length
  buf.set(idBytes, ID_OFFSET)
  buf[ID_OFFSET + idBytes.length] = TAG_MAC
  buf[ID_OFFSET + idBytes.length + 1] = MAC_BYTES
  const f = ID_OFFSET + idBytes.length + 2 + MAC_BYTES
  buf[f] = TAG_CHECKER
  buf[f + 9] = TAG_SENT_AT
  return buf
}

/**
 * Writes the freshness fields of a keyed probe: the checker's id (two
 * unsigned 32-bit halves, not both 0) and the send time in wall-clock ms
 * (a positive safe integer). An endpoint's reply echoes them.
 */
export function writeFreshness (buf: Buffer, checkerLo: number, checkerHi: number, sentAtMs: number): void {
  const f = bodyLength(buf) + 2 + MAC_BYTES
  buf[f] = TAG_CHECKER
  buf.writeUInt32LE(checkerLo >>> 0, f + 1)
  buf.writeUInt32LE(checkerHi >>> 0, f + 5)
  buf[f + 9] = TAG_SENT_AT
  buf.writeUInt32LE(sentAtMs % 0x1_0000_0000, f + 10)
  buf.writeUInt32LE(Math.floor(sentAtMs / 0x1_0000_0000), f + 14)
}

/** Writes a 64-bit nonce (two unsigned 32-bit halves) into a packet. */
export function writeNonce (buf: Buffer, nonceLo: number, nonceHi: number): void {
  buf.writeUInt32LE(nonceLo >>> 0, 5)
  buf.writeUInt32LE(nonceHi >>> 0, 9)
}

/** Sets the kind byte (an endpoint turns a probe into its reply in place). */
export function writeKind (buf: Uint8Array, kind: number): void {
  buf[3] = kind
}

/** Length of a packet without its mac (fields 1–4), read from the id length byte. */
export function bodyLength (buf: Uint8Array): number {
  return ID_OFFSET + (buf[14] as number)
}

/** HMAC-SHA256 over every field but the mac: fields 1–4, then the freshness fields after the mac. */
function macOf (buf: Uint8Array, bodyEnd: number, key: Uint8Array): Buffer {
  const tail = bodyEnd + 2 + MAC_BYTES
  return createHmac('sha256', key).update(buf.subarray(0, bodyEnd)).update(buf.subarray(tail, tail + FRESHNESS_BYTES)).digest()
}

/**
 * Completes a packet laid out by `packetTemplate` (or a decoded keyed probe,
 * turned into its reply in place) and returns its length on the wire: with a
 * key, the mac is filled in over every other field (the freshness fields must
 * have been written); without, the packet ends before the mac.
 */
export function sealPacket (buf: Buffer, key: Uint8Array | undefined): number {
  const bodyEnd = bodyLength(buf)
  if (key === undefined) return bodyEnd
  buf[bodyEnd] = TAG_MAC
  buf[bodyEnd + 1] = MAC_BYTES
  macOf(buf, bodyEnd, key).copy(buf, bodyEnd + 2)
  return bodyEnd + KEYED_TAIL_BYTES
}

/** True when the packet in `view` carries a mac and it is right for `key`. Constant-time compare. */
export function verifyPacket (buf: Uint8Array, view: PacketView, key: Uint8Array): boolean {
  if (view.macStart < 0) return false
  return timingSafeEqual(macOf(buf, view.bodyEnd, key), buf.subarray(view.macStart, view.macStart + MAC_BYTES))
}
