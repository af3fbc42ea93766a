import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Authentication of Raft calls and messages under a cluster token. The token
 * itself never travels and is never used as a key: a MAC key is derived from
 * it once with HKDF-SHA256.
 *
 * - Every call carries `x-raft-auth: <unix ms>.<nonce>.<mac>`, the MAC over
 *   the method, the time, a fresh random 16-byte nonce and the caller's
 *   address. The server checks it from the call's metadata, before a byte of
 *   the body is read, and refuses a proof older or newer than `windowMs` and
 *   a nonce it has already seen (a `ReplayCache` remembers nonces for the
 *   window): a captured call cannot be replayed.
 * - Every message on the call (each streamed RaftMessage, the unary one, each
 *   snapshot chunk) ends in a trailer, fields 30 and 31 of its protobuf type:
 *   a fixed64 sequence number that grows by one from 1 on each call, and an
 *   HMAC over the call's nonce, the message's bytes and the sequence. A
 *   message forged onto, moved to or replayed within a call is refused.
 */
export const AUTH_KEY = 'x-raft-auth'
export const ADDRESS_KEY = 'x-raft-address'

const NONCE_BYTES = 16
const MAC_BYTES = 32
/** fixed64 field 30: tag 0xf1 0x01, then 8 bytes little-endian. */
const SEQ_TAG = [0xf1, 0x01] as const
/** bytes field 31 of 32 bytes: tag 0xfa 0x01, length 0x20. */
const MAC_TAG = [0xfa, 0x01, MAC_BYTES] as const
const SEQ_FIELD_BYTES = SEQ_TAG.length + 8
/** The trailer every authenticated message ends in. */
export const TRAILER_BYTES = SEQ_FIELD_BYTES + MAC_TAG.length + MAC_BYTES

/** Why a call or message was refused. */
export type AuthFailure = 'auth' | 'replay'

/** Nonces of accepted calls, remembered for the proof window; bounded in size. */
export class ReplayCache {
  private readonly seen = new Map<string, number>()
  /** Proofs not newer than this are refused: their nonces may have been evicted to keep the size bound. */
  private floor = Number.NEGATIVE_INFINITY

  constructor (private readonly windowMs: number, private readonly maxEntries: number) {}

  get size (): number {
    return this.seen.size
  }

  /** Records `nonce` (of a proof made at `ts`); false when it was seen or cannot be told apart from a replay. */
  admit (nonce: string, ts: number, now: number): boolean {
    // Entries are (about) in time order; one past the window is refused by the window check anyway.
    for (const [n, t] of this.seen) {
      if (t >= now - this.windowMs) break
      this.seen.delete(n)
    }
    if (ts <= this.floor || this.seen.has(nonce)) return false
    while (this.seen.size >= this.maxEntries) {
      const oldest = this.seen.entries().next().value as [string, number]
      this.seen.delete(oldest[0])
      this.floor = Math.max(this.floor, oldest[1])
    }
    this.seen.set(nonce, ts)
    return true
  }
}

/** An accepted call: its nonce keys every message MAC, its sequence numbers must grow. */
export interface CallContext {
  readonly nonce: Buffer
  lastSeq: number
}

export class RaftAuth {
  private readonly key: Buffer
  private readonly cache: ReplayCache

  constructor (token: string, private readonly windowMs: number, replayCacheEntries: number) {
    this.key = Buffer.from(hkdfSync('sha256', token, 'clusterfunk raft transport', 'raft call and message MAC v1', 32))
    this.cache = new ReplayCache(windowMs, replayCacheEntries)
  }

  /** A fresh proof for a call on `method` from `address`, and the context its messages are sealed with. */
  prove (method: string, address: string, now: number): { proof: string, context: CallContext } {
    const nonce = randomBytes(NONCE_BYTES)
    const ts = String(now)
    const mac = this.callMac(method, ts, nonce, address)
    return { proof: `${ts}.${nonce.toString('hex')}.${mac.toString('hex')}`, context: { nonce, lastSeq: 0 } }
  }

  /** Checks a call's proof (and spends its nonce); the call's context, or why it is refused. */
  verify (method: string, address: string, proof: unknown, now: number): CallContext | AuthFailure {
    if (typeof proof !== 'string' || proof.length > 200) return 'auth'
    const [ts, nonceHex, macHex] = proof.split('.')
    const t = Number(ts)
    if (ts === undefined || nonceHex?.length !== NONCE_BYTES * 2 || macHex?.length !== MAC_BYTES * 2 || !Number.isSafeInteger(t)) return 'auth'
    const nonce = Buffer.from(nonceHex, 'hex')
    const got = Buffer.from(macHex, 'hex')
    if (nonce.length !== NONCE_BYTES || got.length !== MAC_BYTES) return 'auth'
    if (!timingSafeEqual(got, this.callMac(method, ts, nonce, address))) return 'auth'
    // Only a genuine proof reaches the window and the cache, so forgeries cannot fill it.
    if (Math.abs(now - t) > this.windowMs) return 'replay'
    if (!this.cache.admit(nonceHex, t, now)) return 'replay'
    return { nonce, lastSeq: 0 }
  }

  /** `body` followed by the trailer: the call's next sequence number and the MAC. */
  seal (body: Uint8Array, call: CallContext): Buffer {
    const out = Buffer.allocUnsafe(body.length + TRAILER_BYTES)
    out.set(body, 0)
    let at = body.length
    out[at++] = SEQ_TAG[0]; out[at++] = SEQ_TAG[1]
    out.writeBigUInt64LE(BigInt(++call.lastSeq), at); at += 8
    const mac = createHmac('sha256', this.key).update(call.nonce).update(out.subarray(0, at)).digest()
    out[at++] = MAC_TAG[0]; out[at++] = MAC_TAG[1]; out[at++] = MAC_TAG[2]
    mac.copy(out, at)
    return out
  }

  /** The message bytes of a sealed `buf` when its MAC holds and its sequence number is the call's next; else why not. */
  open (buf: Buffer, call: CallContext): Buffer | AuthFailure {
    const end = buf.length - TRAILER_BYTES
    if (end < 0) return 'auth'
    const seqAt = end + SEQ_TAG.length
    const macAt = end + SEQ_FIELD_BYTES
    if (buf[end] !== SEQ_TAG[0] || buf[end + 1] !== SEQ_TAG[1] || buf[macAt] !== MAC_TAG[0] || buf[macAt + 1] !== MAC_TAG[1] || buf[macAt + 2] !== MAC_TAG[2]) return 'auth'
    const want = createHmac('sha256', this.key).update(call.nonce).update(buf.subarray(0, macAt)).digest()
    if (!timingSafeEqual(want, buf.subarray(macAt + MAC_TAG.length))) return 'auth'
    const seq = buf.readUInt32LE(seqAt) + buf.readUInt32LE(seqAt + 4) * 0x1_0000_0000
    // Strictly the next one: a replayed, dropped or reordered message within the call is refused.
    if (seq !== call.lastSeq + 1) return 'replay'
    call.lastSeq = seq
    return buf.subarray(0, end)
  }

  private callMac (method: string, ts: string, nonce: Buffer, address: string): Buffer {
    return createHmac('sha256', this.key).update(`${method}\n${ts}\n`).update(nonce).update(`\n${address}`).digest()
  }
}
