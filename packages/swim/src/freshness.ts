import { DecodeError } from '@clusterfunk/core'
import { MAX_NAME_BYTES } from './codec.js'

/**
 * The freshness header every sealed message carries inside its ciphertext
 * (replay protection), so a captured message cannot be replayed:
 *
 * ```
 * | u16 sender length | sender id | u16 recipient length | recipient | u64 epoch | u64 seq | u64 sent at | payload |
 * ```
 *
 * - `sender` is the sending member's id: receivers keep one anti-replay
 *   window per sender (`ReplayGuard`).
 * - `recipient` is who the message is for: the address the sender dialed
 *   (datagrams, stream requests) or the requester's id (stream replies).
 *   A receiver drops a message meant for someone else, so a message sent to
 *   one member cannot be replayed to another (whose window never saw it).
 * - `epoch` is the sender's start time (wall-clock ms): a restart is a new,
 *   larger epoch and starts a new window; an older epoch is a replay.
 * - `seq` counts every message the sender sealed in this epoch, from 1.
 * - `sentAt` is the sender's wall clock (ms): messages older (or newer) than
 *   the receiver's time window are dropped even when no window is kept for
 *   the sender.
 *
 * All three numbers are safe integers, checked on decode.
 */
export interface Freshness {
  sender: string
  recipient: string
  epoch: number
  seq: number
  sentAt: number
}

/** Fixed bytes of the header: two length prefixes and three 64-bit numbers. */
export const FRESHNESS_FIXED_BYTES = 2 + 2 + 3 * 8
/** Recipient bytes reserved in every datagram's budget: an IP literal host:port ([IPv6]:port is at most 47). */
export const RECIPIENT_RESERVE_BYTES = 64

/** Bytes of the header for `sender`, with `RECIPIENT_RESERVE_BYTES` for the recipient: what a datagram must reserve. */
export function freshnessReserve (sender: string): number {
  return FRESHNESS_FIXED_BYTES + Buffer.byteLength(sender, 'utf8') + RECIPIENT_RESERVE_BYTES
}

/** The largest header: what a stream frame must allow for. */
export const MAX_FRESHNESS_BYTES = FRESHNESS_FIXED_BYTES + 2 * MAX_NAME_BYTES

function writeU64 (out: Buffer, value: number, offset: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${value} is not a safe unsigned integer`)
  out.writeBigUInt64BE(BigInt(value), offset)
  return offset + 8
}

function readU64 (buf: Buffer, offset: number, field: string): number {
  const value = buf.readBigUInt64BE(offset)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError(`freshness ${field} ${value} is not a safe integer`)
  return Number(value)
}

function readName (buf: Buffer, offset: number, field: string): [string, number] {
  if (buf.length < offset + 2) throw new DecodeError(`freshness header truncated at ${field}`)
  const length = buf.readUInt16BE(offset)
  if (length === 0 || length > MAX_NAME_BYTES) throw new DecodeError(`freshness ${field} of ${length} bytes is outside 1..${MAX_NAME_BYTES}`)
  const end = offset + 2 + length
  if (buf.length < end) throw new DecodeError(`freshness header truncated at ${field}`)
  return [buf.toString('utf8', offset + 2, end), end]
}

/** `payload` behind its freshness header. */
export function writeFreshness (f: Freshness, payload: Uint8Array): Buffer {
  const sender = Buffer.from(f.sender, 'utf8')
  const recipient = Buffer.from(f.recipient, 'utf8')
  const out = Buffer.allocUnsafe(FRESHNESS_FIXED_BYTES + sender.length + recipient.length + payload.length)
  let at = out.writeUInt16BE(sender.length, 0)
  at += sender.copy(out, at)
  at = out.writeUInt16BE(recipient.length, at)
  at += recipient.copy(out, at)
  at = writeU64(out, f.epoch, at)
  at = writeU64(out, f.seq, at)
  at = writeU64(out, f.sentAt, at)
  out.set(payload, at)
  return out
}

/** Splits an opened message into its header and payload; throws `DecodeError` for a malformed header. */
export function readFreshness (plain: Uint8Array): { freshness: Freshness, payload: Uint8Array } {
  const buf = Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength)
  const [sender, afterSender] = readName(buf, 0, 'sender')
  const [recipient, at] = readName(buf, afterSender, 'recipient')
  if (buf.length < at + 24) throw new DecodeError('freshness header truncated at its numbers')
  const freshness = { sender, recipient, epoch: readU64(buf, at, 'epoch'), seq: readU64(buf, at + 8, 'seq'), sentAt: readU64(buf, at + 16, 'sentAt') }
  return { freshness, payload: buf.subarray(at + 24) }
}
