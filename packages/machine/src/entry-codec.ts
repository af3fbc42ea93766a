import { DecodeError } from '@clusterfunk/core'

/** Version byte of every machine entry. */
const ENTRY_VERSION = 1

/**
 * What the machine writes into the Raft log. Every entry carries the
 * leader's time stamp and a random seed, so a replica applying it computes
 * the same `now()` and `rand` as every other.
 */
export type MachineEntry =
  | { kind: 'command', ts: number, seed: number, args: Buffer[] }
  | { kind: 'tick', ts: number, seed: number }
  /** The client address of a member (for forwarding, MOVED and RAFT SERVER LIST). */
  | { kind: 'peer', ts: number, seed: number, nodeId: string, clientAddress: string }
  | { kind: 'unpeer', ts: number, seed: number, nodeId: string }

const KINDS = ['command', 'tick', 'peer', 'unpeer'] as const

/** Most arguments one entry may carry (a command's arguments are bounded by the RESP reader long before). */
const MAX_ARGS = 1 << 24

export function encodeEntry (e: MachineEntry): Uint8Array {
  const args = e.kind === 'command' ? e.args : e.kind === 'peer' ? [Buffer.from(e.nodeId), Buffer.from(e.clientAddress)] : e.kind === 'unpeer' ? [Buffer.from(e.nodeId)] : []
  let size = 1 + 1 + 8 + 4 + 4
  for (const a of args) size += 4 + a.length
  const out = Buffer.allocUnsafe(size)
  out[0] = ENTRY_VERSION
  out[1] = KINDS.indexOf(e.kind)
  out.writeDoubleBE(e.ts, 2)
  out.writeUInt32BE(e.seed >>> 0, 10)
  out.writeUInt32BE(args.length, 14)
  let at = 18
  for (const a of args) {
    out.writeUInt32BE(a.length, at)
    a.copy(out, at + 4)
    at += 4 + a.length
  }
  return out
}

/** Decodes an entry; throws `DecodeError` for anything malformed. */
export function decodeEntry (bytes: Uint8Array): MachineEntry {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (b.length < 18) throw new DecodeError('machine entry too short')
  if (b[0] !== ENTRY_VERSION) throw new DecodeError(`machine entry version ${b[0]} unknown`)
  const kind = KINDS[b[1] as number]
  if (kind === undefined) throw new DecodeError(`machine entry kind ${b[1]} unknown`)
  const ts = b.readDoubleBE(2)
  if (!Number.isFinite(ts)) throw new DecodeError('machine entry time stamp not finite')
  const seed = b.readUInt32BE(10)
  const count = b.readUInt32BE(14)
  if (count > MAX_ARGS) throw new DecodeError('machine entry has too many arguments')
  const args: Buffer[] = []
  let at = 18
  for (let i = 0; i < count; i++) {
    if (at + 4 > b.length) throw new DecodeError('machine entry truncated')
    const len = b.readUInt32BE(at)
    if (at + 4 + len > b.length) throw new DecodeError('machine entry truncated')
    args.push(Buffer.from(b.subarray(at + 4, at + 4 + len)))
    at += 4 + len
  }
  if (at !== b.length) throw new DecodeError('machine entry has trailing bytes')
  switch (kind) {
    case 'command':
      if (args.length === 0) throw new DecodeError('machine command entry without a name')
      return { kind, ts, seed, args }
    case 'tick': return { kind, ts, seed }
    case 'peer':
      if (args.length !== 2) throw new DecodeError('machine peer entry needs an id and an address')
      return { kind, ts, seed, nodeId: (args[0] as Buffer).toString(), clientAddress: (args[1] as Buffer).toString() }
    case 'unpeer':
      if (args.length !== 1) throw new DecodeError('machine unpeer entry needs an id')
      return { kind, ts, seed, nodeId: (args[0] as Buffer).toString() }
  }
}
