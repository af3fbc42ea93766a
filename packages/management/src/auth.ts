import { createHash, timingSafeEqual } from 'node:crypto'
import type { Metadata } from '@grpc/grpc-js'

/** The metadata key a token travels in, as `Bearer <token>`. */
export const AUTHORIZATION_KEY = 'authorization'
/** Set on calls a follower forwards to the leader, so they are never forwarded again. */
export const FORWARDED_KEY = 'clusterfunk-forwarded'

function digest (value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest()
}

/**
 * Checks a call's `authorization: Bearer <token>` against `token` in
 * constant time (both sides hashed first, so the length leaks nothing).
 */
export function tokenMatches (metadata: Metadata, token: string): boolean {
  const header = metadata.get(AUTHORIZATION_KEY)[0]
  if (typeof header !== 'string') return false
  const match = /^Bearer\s+(.+)$/i.exec(header)
  const given = match?.[1] ?? ''
  // Compare even when the header is malformed, so the timing does not tell the cases apart.
  const equal = timingSafeEqual(digest(given), digest(token))
  return match !== null && equal
}

export { isLoopback, joinHostPort, parseHostPort } from '@clusterfunk/core'

/** The IP in a grpc-js peer string (`127.0.0.1:5432`, `[::1]:5432`, `ipv4:…`). */
export function peerIp (peer: string): string {
  const p = peer.replace(/^ipv[46]:/, '')
  const v6 = /^\[([^\]]+)\]/.exec(p)
  if (v6 !== null) return v6[1] ?? ''
  const i = p.lastIndexOf(':')
  return i > 0 && !p.slice(0, i).includes(':') ? p.slice(0, i) : p
}
