import { isIP } from 'node:net'

/**
 * Member addresses as the driver writes them: `host:port` with an IP
 * literal host, IPv6 in brackets (`[::1]:7946`). The core treats them as
 * opaque strings; they also arrive from the network, so parsing is strict
 * and never throws.
 */

/** An IP literal and a port. */
export interface HostPort {
  host: string
  port: number
}

/** `host:port`, bracketing IPv6 hosts. */
export function formatAddress (host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`
}

/** The host and port of `address`, or undefined when it is not an IP literal with a port in 1..65535. */
export function parseAddress (address: string): HostPort | undefined {
  if (typeof address !== 'string' || address.length > 64) return undefined
  let host: string
  let portText: string
  if (address.startsWith('[')) {
    const end = address.indexOf(']:')
    if (end < 0) return undefined
    host = address.slice(1, end)
    portText = address.slice(end + 2)
    if (isIP(host) !== 6) return undefined
  } else {
    const colon = address.lastIndexOf(':')
    if (colon < 0) return undefined
    host = address.slice(0, colon)
    portText = address.slice(colon + 1)
    if (isIP(host) !== 4) return undefined
  }
  if (!/^[0-9]{1,5}$/.test(portText)) return undefined
  const port = Number(portText)
  if (port < 1 || port > 65535) return undefined
  return { host, port }
}

/** True for the wildcard addresses (`0.0.0.0`, `::`), which cannot be advertised. */
export function isUnspecified (host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '::0'
}
