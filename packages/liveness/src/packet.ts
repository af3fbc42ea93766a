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
/** Largest valid packet: fixed fields, the longest id and a mac. */
export const MAX_PACKET_BYTES = 15 + MAX_NODE_ID_BYTES + 2 + MAC_BYTES

const TAG_VERSION = 0x08
const TAG_KIND = 0x10
const TAG_NONCE = 0x19
const TAG_TARGET = 0x22
const TAG_MAC = 0x2a
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

/** Every drop reason, for counters that start at 0. */
export const DROP_REASONS: readonly DropReason[] = ['oversized', 'malformed', 'version', 'kind', 'auth', 'wrong-node', 'source', 'unmatched']

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
}

/** A fresh view to pass to `decodePacket` again and again. */
export function createPacketView (): PacketView {
  return { kind: 0, nonceLo: 0, nonceHi: 0, idStart: 0, idEnd: 0, bodyEnd: 0, macStart: -1 }
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
  if (len === bodyEnd + 2 + MAC_BYTES && buf[bodyEnd] === TAG_MAC && buf[bodyEnd + 1] === MAC_BYTES) {
    macStart = bodyEnd + 2
  } else if (len !== bodyEnd) {
    return 'malformed'
  }
  const nonceLo = ((buf[5] as number) | (buf[6] as number) << 8 | (buf[7] as number) << 16 | (buf[8] as number) << 24) >>> 0
  const nonceHi = ((buf[9] as number) | (buf[10] as number) << 8 | (buf[11] as number) << 16 | (buf[12] as number) << 24) >>> 0
  if (nonceLo === 0 && nonceHi === 0) return 'malformed' // proto3 would omit a zero nonce
  view.kind = kind
  view.nonceLo = nonceLo
  view.nonceHi = nonceHi
  view.idStart = ID_OFFSET
  view.idEnd = bodyEnd
  view.bodyEnd = bodyEnd
  view.macStart = macStart
  return undefined
}

/**
 * Writes the fixed part of a packet for `idBytes` into a new buffer big
 * enough for a mac; `writeNonce` and `sealPacket` fill in the rest.
 */
export function packetTemplate (kind: number, idBytes: Uint8Array): Buffer {
  if (idBytes.length === 0 || idBytes.length > MAX_NODE_ID_BYTES) throw new RangeError(`a node id takes 1..${MAX_NODE_ID_BYTES} UTF-8 bytes`)
  const buf = Buffer.alloc(ID_OFFSET + idBytes.length + 2 + MAC_BYTES)
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
  return buf
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

/**
 * Completes a packet laid out by `packetTemplate` (or a decoded probe whose
 * buffer is big enough) and returns its length on the wire: with a key, the
 * mac field is filled in; without, the packet ends before it.
 */
export function sealPacket (buf: Buffer, key: Uint8Array | undefined): number {
  const bodyEnd = bodyLength(buf)
  if (key === undefined) return bodyEnd
  buf[bodyEnd] = TAG_MAC
  buf[bodyEnd + 1] = MAC_BYTES
  const mac = createHmac('sha256', key).update(buf.subarray(0, bodyEnd)).digest()
  mac.copy(buf, bodyEnd + 2)
  return bodyEnd + 2 + MAC_BYTES
}

/** True when the packet in `view` carries a mac and it is right for `key`. Constant-time compare. */
export function verifyPacket (buf: Uint8Array, view: PacketView, key: Uint8Array): boolean {
  if (view.macStart < 0) return false
  const mac = createHmac('sha256', key).update(buf.subarray(0, view.bodyEnd)).digest()
  return timingSafeEqual(mac, buf.subarray(view.macStart, view.macStart + MAC_BYTES))
}
