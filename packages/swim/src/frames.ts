import { DecodeError } from '@clusterfunk/core'
import { MAX_PACKET_BYTES, MAX_PUSH_PULL_BYTES } from './codec.js'

/**
 * Stream framing for the TCP side. Every frame is a 4-byte big-endian
 * length followed by that many bytes of payload (sealed when a keyring is
 * set). Each message of an exchange is two frames: a small head frame
 * (kind byte, u32 body length) and the body frame. The receiver reads the
 * head under a tight limit and, with a keyring, opens and checks it for
 * freshness before it accepts a single byte of a body that may be 16 MiB:
 * a peer without the key cannot make a node buffer more than a head. The
 * kinds:
 *
 * | kind | body | sent by |
 * |---|---|---|
 * | 1 `ping` | a `Packet` holding one `Ping` | a prober (TCP fallback ping) |
 * | 2 `ack` | a `Packet` holding the `Ack` | the pinged node |
 * | 3 `push-pull` | a `PushPull` | both sides of an exchange, initiator first |
 * | 4 `messages` | a `Packet` of broadcasts too large for a datagram | a gossiper |
 *
 * One connection carries one exchange: a request frame, then at most one
 * reply frame (`ack` for `ping`, `push-pull` for `push-pull`), then both
 * sides close.
 */

export const FRAME_HEADER_BYTES = 4
/** Plaintext of a head frame: kind byte, u32 body length. */
export const HEAD_PLAINTEXT_BYTES = 5

export const STREAM_PING = 1
export const STREAM_ACK = 2
export const STREAM_PUSH_PULL = 3
export const STREAM_MESSAGES = 4
export type StreamKind = typeof STREAM_PING | typeof STREAM_ACK | typeof STREAM_PUSH_PULL | typeof STREAM_MESSAGES

/** A frame's payload claims more bytes than allowed, or is empty. */
export class FrameError extends DecodeError {
  constructor (message: string, readonly reason: 'oversize' | 'empty') {
    super(message)
    this.name = 'FrameError'
  }
}

/** `payload` with its length prefix. */
export function encodeFrame (payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length)
  out.writeUInt32BE(payload.length, 0)
  out.set(payload, FRAME_HEADER_BYTES)
  return out
}

/** The plaintext of a frame: kind byte, then body. */
export function framePlaintext (kind: StreamKind, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(1 + body.length)
  out[0] = kind
  out.set(body, 1)
  return out
}

/**
 * Largest body accepted per kind: a fallback ping and its ack are one
 * datagram's worth; push/pull states and oversized broadcasts may be large.
 */
export const MAX_STREAM_BODY_BYTES: Readonly<Record<StreamKind, number>> = {
  [STREAM_PING]: MAX_PACKET_BYTES,
  [STREAM_ACK]: MAX_PACKET_BYTES,
  [STREAM_PUSH_PULL]: MAX_PUSH_PULL_BYTES,
  [STREAM_MESSAGES]: MAX_PUSH_PULL_BYTES
}

/** True for a byte that names a frame kind. */
export function isStreamKind (kind: unknown): kind is StreamKind {
  return kind === STREAM_PING || kind === STREAM_ACK || kind === STREAM_PUSH_PULL || kind === STREAM_MESSAGES
}

/** The plaintext of a head frame: kind byte, body length. */
export function headPlaintext (kind: StreamKind, bodyLength: number): Buffer {
  const out = Buffer.allocUnsafe(HEAD_PLAINTEXT_BYTES)
  out[0] = kind
  out.writeUInt32BE(bodyLength, 1)
  return out
}

/** A head frame's plaintext as kind and body length; throws `DecodeError` for a wrong size or an unknown kind. */
export function readHead (plaintext: Uint8Array): { kind: StreamKind, length: number } {
  if (plaintext.length !== HEAD_PLAINTEXT_BYTES) throw new DecodeError(`a stream head is ${HEAD_PLAINTEXT_BYTES} bytes, not ${plaintext.length}`)
  const kind = plaintext[0]
  if (!isStreamKind(kind)) throw new DecodeError(`unknown stream frame kind ${String(kind)}`)
  return { kind, length: Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).readUInt32BE(1) }
}

/** Splits a frame's plaintext; throws `DecodeError` for an empty one or an unknown kind. */
export function splitPlaintext (plaintext: Uint8Array): { kind: StreamKind, body: Uint8Array } {
  const kind = plaintext[0]
  if (!isStreamKind(kind)) throw new DecodeError(`unknown stream frame kind ${String(kind)}`)
  return { kind, body: plaintext.subarray(1) }
}

/**
 * Reassembles frames from stream chunks. A length over the limit (or zero)
 * is rejected as soon as the 4 header bytes are in, so a peer cannot make
 * it reserve memory it never sends: what is buffered is only what arrived.
 * `next` takes one frame at a time under a limit of the caller's choosing
 * (a head frame's is small), `push` takes every complete frame under
 * `maxFrameBytes`.
 */
export class FrameReader {
  private chunks: Buffer[] = []
  private buffered = 0
  private need = -1

  constructor (readonly maxFrameBytes: number) {}

  /** Bytes held, waiting for the rest of a frame. */
  get pending (): number {
    return this.buffered + (this.need >= 0 ? FRAME_HEADER_BYTES : 0)
  }

  /** Takes a chunk without reading frames. */
  append (chunk: Buffer): void {
    if (chunk.length === 0) return
    this.chunks.push(chunk)
    this.buffered += chunk.length
  }

  /**
   * The next complete frame, or undefined until it is in. Throws
   * `FrameError` for a length of 0 or over `maxBytes`, read from the 4
   * header bytes alone.
   */
  next (maxBytes = this.maxFrameBytes): Buffer | undefined {
    if (this.need < 0) {
      if (this.buffered < FRAME_HEADER_BYTES) return undefined
      const length = this.take(FRAME_HEADER_BYTES).readUInt32BE(0)
      if (length === 0) throw new FrameError('empty stream frame', 'empty')
      if (length > maxBytes) throw new FrameError(`stream frame of ${length} bytes is larger than ${maxBytes}`, 'oversize')
      this.need = length
    }
    if (this.buffered < this.need) return undefined
    const frame = this.take(this.need)
    this.need = -1
    return frame
  }

  /** Takes a chunk and returns the frames it completed. Throws `FrameError` for a bad length. */
  push (chunk: Buffer): Buffer[] {
    this.append(chunk)
    const frames: Buffer[] = []
    for (let f = this.next(); f !== undefined; f = this.next()) frames.push(f)
    return frames
  }

  private take (n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] as Buffer : Buffer.concat(this.chunks, this.buffered)
    const out = all.subarray(0, n)
    const rest = all.subarray(n)
    this.chunks = rest.length > 0 ? [rest] : []
    this.buffered = rest.length
    return out
  }
}
