import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'

/**
 * Peer proofs: how one node's management client shows the cluster token to
 * another node's server without sending it.
 *
 * Nodes dial each other at addresses they learned from gossip (the leader's
 * `ep.clusterfunk.management` tag, for acks and forwarded calls). Without a
 * gossip key anyone can forge that gossip and re-point the tag at a listener
 * of their own, so a bearer token sent there would be handed to them. A proof
 * instead is an HMAC, under a key derived from the token, of:
 * - the RPC path and the SHA-256 of the request bytes (so it authorizes that
 *   call only, with that body),
 * - the audience: the `host:port` the client dialled (so a proof received by
 *   an impostor is refused by every real node, whose own endpoint differs),
 * - a timestamp and a random nonce (so it is refused outside a short window,
 *   and a node takes each nonce once within it).
 * The key is derived with scrypt, so a captured proof makes an offline guess
 * of the token slow. Operators (funkctl) still send the bearer token: they
 * dial an address they chose, over TLS off loopback.
 */

/** The metadata key a peer proof travels in. */
export const PEER_PROOF_KEY = 'clusterfunk-peer-proof'
const VERSION = 'v1'
/** How far a proof's timestamp may be from the receiver's clock (ms): node clocks agree to well within it. */
export const PEER_PROOF_WINDOW_MS = 30_000
/** Nonces a server remembers at most; full, it refuses proofs until some expire (only valid proofs enter). */
export const PEER_PROOF_MAX_NONCES = 100_000

let lastKey: { token: string, key: Buffer } | undefined

/** The key proofs are made with, derived from the cluster token (scrypt, ~50 ms; the last one is kept, as a node asks twice). */
export function peerProofKey (token: string): Buffer {
  if (lastKey?.token !== token) lastKey = { token, key: scryptSync(token, 'clusterfunk management peer proof v1', 32, { N: 1 << 14, r: 8, p: 1 }) }
  return lastKey.key
}

/** What a proof binds. */
export interface ProofSubject {
  /** The RPC path, `/clusterfunk.management.Management/AckShardMap`. */
  path: string
  /** The `host:port` the client dials. */
  audience: string
  /** SHA-256 of the serialized request. */
  bodyDigest: Buffer
}

/** SHA-256 of a serialized request. */
export function bodyDigest (body: Uint8Array): Buffer {
  return createHash('sha256').update(body).digest()
}

function mac (key: Buffer, subject: ProofSubject, timeMs: number, nonce: string): Buffer {
  return createHmac('sha256', key)
    .update(`${VERSION}\n${subject.path}\n${subject.audience}\n${timeMs}\n${nonce}\n`)
    .update(subject.bodyDigest)
    .digest()
}

/** A fresh proof for one call: `v1.<unix ms>.<nonce>.<mac>`. */
export function signPeerProof (key: Buffer, subject: ProofSubject, nowMs: number): string {
  const nonce = randomBytes(16).toString('hex')
  const time = Math.floor(nowMs)
  return `${VERSION}.${time}.${nonce}.${mac(key, subject, time, nonce).toString('base64url')}`
}

/** Why a proof was refused. */
export type ProofRefusal = 'malformed' | 'stale' | 'mac' | 'replay' | 'busy'

/**
 * Checks peer proofs on a server and remembers the nonces it took until
 * they expire, so no proof is taken twice.
 */
export class PeerProofVerifier {
  private readonly key: Buffer
  private readonly windowMs: number
  private readonly maxNonces: number
  /** Nonce → when it may be forgotten; insertion order is close to expiry order. */
  private readonly nonces = new Map<string, number>()

  constructor (key: Buffer, windowMs = PEER_PROOF_WINDOW_MS, maxNonces = PEER_PROOF_MAX_NONCES) {
    this.key = key
    this.windowMs = windowMs
    this.maxNonces = maxNonces
  }

  /**
   * Undefined when `proof` proves the token for a call to `subject.path` with
   * that body, made to one of `audiences`, at about `nowMs`; else why not.
   */
  verify (proof: string, subject: Omit<ProofSubject, 'audience'>, audiences: readonly string[], nowMs: number): ProofRefusal | undefined {
    const match = /^v1\.(\d{1,15})\.([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$/.exec(proof)
    if (match === null) return 'malformed'
    const time = Number(match[1])
    const nonce = match[2] ?? ''
    const given = Buffer.from(match[3] ?? '', 'base64url')
    if (Math.abs(time - nowMs) > this.windowMs) return 'stale'
    const audience = audiences.find(a => timingSafeEqual(mac(this.key, { ...subject, audience: a }, time, nonce), given))
    if (audience === undefined) return 'mac'
    this.forgetExpired(nowMs)
    if (this.nonces.has(nonce)) return 'replay'
    if (this.nonces.size >= this.maxNonces) return 'busy'
    // Kept until the proof's timestamp leaves the window on this clock.
    this.nonces.set(nonce, Math.max(nowMs, time) + this.windowMs)
    return undefined
  }

  private forgetExpired (nowMs: number): void {
    for (const [nonce, expiry] of this.nonces) {
      if (expiry > nowMs) break
      this.nonces.delete(nonce)
    }
  }
}
