import { DecodeError } from '@clusterfunk/core'
import { encodeFrame, FRAME_HEADER_BYTES, FrameError, FrameReader, HEAD_PLAINTEXT_BYTES, headPlaintext, MAX_STREAM_BODY_BYTES, readHead, STREAM_MESSAGES, STREAM_PING, STREAM_PUSH_PULL, type StreamKind } from './frames.js'
import type { Freshness } from './freshness.js'
import { MAX_FRESHNESS_BYTES } from './freshness.js'
import { ENCRYPTION_OVERHEAD_BYTES, SealVersionError } from './keyring.js'
import type { StaleReason } from './replay-guard.js'
import type { Sealer } from './sealer.js'
import type { DropReason } from './swim-metrics.js'

/**
 * One message of a stream exchange, both ways: a head frame (kind, body
 * length) and a body frame, each sealed when there is a keyring (see
 * `frames.ts`). The reader takes the head under a limit of a few hundred
 * bytes, opens it and checks its freshness; only then does the caller
 * decide (from the kind and the announced length) whether to accept a body,
 * which is read under exactly the announced length. A sealed body must be
 * the sealed message that followed the head (same sender, epoch and
 * recipient, next sequence number), so a body cannot be spliced from
 * another exchange.
 */

/** Bytes sealing adds to a frame at most: encryption and the largest freshness header. */
export const MAX_SEAL_OVERHEAD_BYTES = ENCRYPTION_OVERHEAD_BYTES + MAX_FRESHNESS_BYTES
/** Largest head frame payload accepted: the head sealed with the largest freshness header. */
export const MAX_HEAD_FRAME_BYTES = HEAD_PLAINTEXT_BYTES + MAX_SEAL_OVERHEAD_BYTES

/** The two frames of one message, sealed for `recipient` when `sealer` encrypts. */
export function encodeStreamMessage (sealer: Sealer, kind: StreamKind, body: Uint8Array, recipient: string): Buffer {
  // Sealed back to back, so the body's sequence number is the head's plus one.
  const head = sealer.seal(headPlaintext(kind, body.length), recipient)
  const sealedBody = sealer.seal(body, recipient)
  const out = Buffer.allocUnsafe(2 * FRAME_HEADER_BYTES + head.length + sealedBody.length)
  encodeFrame(head).copy(out, 0)
  encodeFrame(sealedBody).copy(out, FRAME_HEADER_BYTES + head.length)
  return out
}

/** Bytes that close a stream: why, for the drop counter. */
export class StreamDropError extends DecodeError {
  constructor (message: string, readonly reason: DropReason) {
    super(message)
    this.name = 'StreamDropError'
  }
}

/** A head that opened and was fresh. */
export interface StreamHead {
  kind: StreamKind
  length: number
  /** Undefined without a keyring. */
  freshness: Freshness | undefined
}

/** Kinds a peer may open an exchange with. */
const REQUEST_KINDS: ReadonlySet<StreamKind> = new Set([STREAM_PING, STREAM_PUSH_PULL, STREAM_MESSAGES])

/**
 * Throws `StreamDropError` unless `head` is what this side expects (any
 * request, or a reply of one kind) and announces a body within its kind's
 * limit (`MAX_STREAM_BODY_BYTES`).
 */
export function checkHead (head: StreamHead, expected: StreamKind | 'request'): void {
  if (expected === 'request' ? !REQUEST_KINDS.has(head.kind) : head.kind !== expected) {
    // An unknown request kind is a body the server cannot serve; a reply of the wrong kind breaks the exchange.
    throw new StreamDropError(`frame kind ${head.kind} is not ${expected === 'request' ? 'a request' : `the reply expected (${expected})`}`, expected === 'request' ? 'decode' : 'unexpected')
  }
  const max = MAX_STREAM_BODY_BYTES[head.kind]
  if (head.length > max) throw new StreamDropError(`a body of ${head.length} bytes is over the ${max}-byte limit of its kind`, 'oversize')
}

/** Reads one message (head, then body) off a stream. */
export class StreamReader {
  private readonly frames = new FrameReader(MAX_HEAD_FRAME_BYTES)

  /**
   * @param sealer opens frames
   * @param admit decides whether a sealed head is fresh; returns why not
   */
  constructor (private readonly sealer: Sealer, private readonly admit: (f: Freshness) => StaleReason | undefined) {}

  /** Bytes held that are not yet a complete frame, or that follow the message. */
  get pending (): number {
    return this.frames.pending
  }

  append (chunk: Buffer): void {
    this.frames.append(chunk)
  }

  /** The head once it is in, opened and fresh; undefined until then. Throws `StreamDropError`. */
  head (): StreamHead | undefined {
    const frame = this.nextFrame(MAX_HEAD_FRAME_BYTES)
    if (frame === undefined) return undefined
    const { payload, freshness } = this.open(frame)
    if (freshness !== undefined) {
      const stale = this.admit(freshness)
      if (stale !== undefined) throw new StreamDropError(`stream head dropped: ${stale}`, stale)
    }
    try {
      const { kind, length } = readHead(payload)
      if (length === 0) throw new StreamDropError('stream head announces an empty body', 'empty')
      return { kind, length, freshness }
    } catch (err) {
      if (err instanceof StreamDropError || !(err instanceof DecodeError)) throw err
      throw new StreamDropError(err.message, 'decode')
    }
  }

  /** The body announced by `head` once it is in; undefined until then. Throws `StreamDropError`. */
  body (head: StreamHead): Uint8Array | undefined {
    const overhead = head.freshness === undefined ? 0 : MAX_SEAL_OVERHEAD_BYTES
    const frame = this.nextFrame(head.length + overhead)
    if (frame === undefined) return undefined
    const { payload, freshness } = this.open(frame)
    const h = head.freshness
    if (h !== undefined && (freshness === undefined || freshness.sender !== h.sender || freshness.epoch !== h.epoch ||
      freshness.recipient !== h.recipient || freshness.seq !== h.seq + 1)) {
      throw new StreamDropError('stream body was not sealed right after its head', 'replay')
    }
    if (payload.length !== head.length) throw new StreamDropError(`stream body of ${payload.length} bytes, its head announced ${head.length}`, 'decode')
    return payload
  }

  private nextFrame (maxBytes: number): Buffer | undefined {
    try {
      return this.frames.next(maxBytes)
    } catch (err) {
      if (err instanceof FrameError) throw new StreamDropError(err.message, err.reason)
      throw err
    }
  }

  private open (frame: Buffer): { payload: Uint8Array, freshness: Freshness | undefined } {
    try {
      return this.sealer.open(frame)
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err
      throw new StreamDropError(err.message, err instanceof SealVersionError ? 'version' : 'decrypt')
    }
  }
}
