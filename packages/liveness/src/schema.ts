import { loadType, type protobuf } from '@clusterfunk/proto'

/**
 * The schema-driven view of the same packet, loaded from proto/liveness.proto.
 * The hot path uses the hand codec in `packet.ts`; this is what it is checked
 * against in the tests and measured against in the codec benchmark, and what
 * tools outside this package can use to read a capture.
 */
export interface PacketMessage {
  version: number
  kind: number
  /** The 64-bit nonce as a decimal string (protobufjs gives a Long-like value). */
  nonce: string
  target: string
  mac: Uint8Array
}

let packetType: protobuf.Type | undefined

/** The protobufjs type `clusterfunk.liveness.Packet`. */
export function livenessPacketType (): protobuf.Type {
  packetType ??= loadType('liveness.proto', 'clusterfunk.liveness.Packet')
  return packetType
}

function long (v: bigint): { low: number, high: number, unsigned: true } {
  return { low: Number(v & 0xffffffffn) | 0, high: Number(v >> 32n) | 0, unsigned: true }
}

/** Encodes a packet with protobufjs. `nonce` is the unsigned 64-bit value. */
export function encodeWithSchema (p: { kind: number, nonce: bigint, target: string, mac?: Uint8Array, checker?: bigint, sentAtMs?: bigint }): Uint8Array {
  const type = livenessPacketType()
  const lo = Number(p.nonce & 0xffffffffn)
  const hi = Number(p.nonce >> 32n)
  // Proto3 leaves a field at its default off the wire: only the fields that carry a value are set,
  // so every protobufjs major writes the same bytes.
  const msg = type.fromObject({
    version: 1,
    kind: p.kind,
    nonce: { low: lo | 0, high: hi | 0, unsigned: true },
    target: p.target,
    ...(p.mac === undefined || p.mac.length === 0 ? {} : { mac: p.mac }),
    ...(p.checker === undefined || p.checker === 0n ? {} : { checker: long(p.checker) }),
    ...(p.sentAtMs === undefined || p.sentAtMs === 0n ? {} : { sentAtMs: long(p.sentAtMs) })
  })
  return type.encode(msg).finish()
}

/** Decodes a packet with protobufjs; throws on bytes that are not a Packet. */
export function decodeWithSchema (bytes: Uint8Array): PacketMessage {
  const type = livenessPacketType()
  const obj = type.toObject(type.decode(bytes), { longs: String, enums: Number, defaults: true, bytes: Array }) as Record<string, unknown>
  return {
    version: obj.version as number,
    kind: obj.kind as number,
    nonce: obj.nonce as string,
    target: obj.target as string,
    mac: Uint8Array.from(obj.mac as number[])
  }
}
