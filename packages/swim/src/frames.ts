import { DecodeError } from '@clusterfunk/core'

/**
 * Stream framing for the TCP side. Every frame is a 4-byte big-endian
 * length followed by that many bytes of payload (sealed when a keyring is
 * set). The plaintext of a frame starts with one kind byte:
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

/** Splits a frame's plaintext; throws `DecodeError` for an empty one or an unknown kind. */
export function splitPlaintext (plaintext: Uint8Array): { kind: StreamKind, body: Uint8Array } {
  const kind = plaintext[0]
  if (kind !== STREAM_PING && kind !== STREAM_ACK && kind !== STREAM_PUSH_PULL && kind !== STREAM_MESSAGES) {
    throw new DecodeError(`unknown stream frame kind ${String(kind)}`)
  }
  return { kind, body: plaintext.subarray(1) }
}

/**
 * Reassembles frames from stream chunks. A length over `maxFrameBytes` (or
 * zero) is rejected as soon as the 4 header bytes are in, so a peer cannot
 * make it reserve memory it never sends: what is buffered is only what
 * arrived, and never more than one frame's worth plus one chunk.
 */
export class FrameReader {
  private chunks: Buffer[] = []
  private buffered = 0
  private need = -1

  constructor (readonly maxFrameBytes: number) {}

  /** Bytes held, waiting for the rest of a frame. */
  get pending (): number {
    return this.buffered
  }

  /** Takes a chunk and returns the frames it completed. Throws `FrameError` for a bad length. */
  push (chunk: Buffer): Buffer[] {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    const frames: Buffer[] = []
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < FRAME_HEADER_BYTES) break
        const length = this.take(FRAME_HEADER_BYTES).readUInt32BE(0)
        if (length === 0) throw new FrameError('empty stream frame', 'empty')
        if (length > this.maxFrameBytes) throw new FrameError(`stream frame of ${length} bytes is larger than ${this.maxFrameBytes}`, 'oversize')
        this.need = length
      }
      if (this.buffered < this.need) break
      frames.push(this.take(this.need))
      this.need = -1
    }
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
