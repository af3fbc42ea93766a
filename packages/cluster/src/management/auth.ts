import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
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

/** True for 127.0.0.0/8, ::1 and `localhost`: addresses whose traffic never leaves the machine. */
export function isLoopback (host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '')
  if (h === 'localhost' || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

/** Splits `host:port` (IPv6 in brackets); undefined when it is not one. */
export function parseHostPort (address: string): { host: string, port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(address)
  if (match === null) return undefined
  const port = Number(match[2])
  if (port < 1 || port > 65_535) return undefined
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port }
}

/** `host:port`, with an IPv6 host in brackets. */
export function joinHostPort (host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/** The IP in a grpc-js peer string (`127.0.0.1:5432`, `[::1]:5432`, `ipv4:…`). */
export function peerIp (peer: string): string {
  const p = peer.replace(/^ipv[46]:/, '')
  const v6 = /^\[([^\]]+)\]/.exec(p)
  if (v6 !== null) return v6[1] ?? ''
  const i = p.lastIndexOf(':')
  return i > 0 && !p.slice(0, i).includes(':') ? p.slice(0, i) : p
}
