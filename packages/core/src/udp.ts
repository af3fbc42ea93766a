import { createSocket, type Socket } from 'node:dgram'
import { isIP } from 'node:net'

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void

/**
 * Peers are addressed by IP literal, so resolving them is the identity. Node
 * would otherwise run `dns.lookup` (a `nextTick` hop and closures) on every
 * datagram sent, a measurable share of the checker's CPU at 10 000 probes/s.
 */
function literalLookup (hostname: string, options: unknown, callback?: LookupCallback): void {
  const cb = (typeof options === 'function' ? options : callback) as LookupCallback
  const family = isIP(hostname)
  if (family === 0) {
    cb(Object.assign(new Error(`not an IP address: ${hostname}`), { code: 'EINVAL' }), '', 0)
    return
  }
  cb(null, hostname, family)
}

/**
 * Opens a UDP socket bound exclusively to `host:port` (0 = any free port),
 * IPv4 or IPv6 by the host's family, addressing peers by IP literal;
 * rejects on a bind error. The way every clusterfunk UDP socket is opened.
 */
export async function bindUdpSocket (host: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4', lookup: literalLookup as never })
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.close()
      reject(err)
    }
    socket.once('error', onError)
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', onError)
      resolve()
    })
  })
  return socket
}

/** Closes a UDP socket and resolves once it is closed; a socket already closed resolves at once. */
export async function closeUdpSocket (socket: Socket): Promise<void> {
  await new Promise<void>(resolve => {
    try {
      socket.close(() => { resolve() })
    } catch {
      resolve() // already closed
    }
  })
}
