import { isIP } from 'node:net'
import { checkServerIdentity, type PeerCertificate } from 'node:tls'

/**
 * Addresses as `host:port` strings, the one place they are split and joined.
 */

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

/** A name a TLS client dials an IP target under; never resolved, only sent as the servername. */
const IP_TARGET_NAME = 'clusterfunk.invalid'

/**
 * How a gRPC TLS client dials `address`. grpc-js takes the TLS servername
 * from the target's host, and Node deprecates an IP address there (DEP0123,
 * printed by every node). For an IP target the client dials under a
 * placeholder name instead (`channelOptions`) and checks the certificate
 * against the IP itself (`verify`), so the identity check is unchanged.
 * `serverName`, when given, is the name the certificate must carry.
 */
export function tlsTarget (address: string, serverName?: string): { channelOptions: Record<string, string>, verify: { checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined } } {
  if (serverName !== undefined) return { channelOptions: { 'grpc.ssl_target_name_override': serverName }, verify: {} }
  const host = parseHostPort(address)?.host
  if (host === undefined || isIP(host) === 0) return { channelOptions: {}, verify: {} }
  return {
    channelOptions: { 'grpc.ssl_target_name_override': IP_TARGET_NAME },
    verify: { checkServerIdentity: (_name, cert) => checkServerIdentity(host, cert) }
  }
}
