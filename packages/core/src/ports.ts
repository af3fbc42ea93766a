import { createSocket, type Socket } from 'node:dgram'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'

/** The first port of the kernel's ephemeral range, where port-0 binds land (Linux; 32 768 when unknown). */
async function ephemeralLow (): Promise<number> {
  try {
    const low = Number((await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/)[0])
    return Number.isInteger(low) && low > 11_000 ? low : 32_768
  } catch {
    return 32_768
  }
}

/**
 * `count` distinct ports free on 127.0.0.1 for both TCP and UDP (a SWIM
 * port is both), each held open until all are found: for tests, benchmarks
 * and demos that fix a node's ports up front, so that it can come back on
 * them after a kill. They are taken below the kernel's ephemeral range, so
 * no port-0 bind (another part of the same node, another test on the
 * machine) can take one before the node binds it, or while a killed node is
 * down before its restart.
 */
export async function freePorts (count: number): Promise<number[]> {
  const high = await ephemeralLow()
  const low = 10_000
  const held: Array<{ port: number, tcp: Server, udp: Socket }> = []
  try {
    for (let attempt = 0; held.length < count && attempt < 100 * count; attempt++) {
      const port = low + Math.floor(Math.random() * (high - low))
      if (held.some(h => h.port === port)) continue
      const tcp = createServer()
      const tcpOk = await new Promise<boolean>(resolve => { tcp.once('error', () => { resolve(false) }); tcp.listen(port, '127.0.0.1', () => { resolve(true) }) })
      if (!tcpOk) continue
      const udp = createSocket('udp4')
      const udpOk = await new Promise<boolean>(resolve => { udp.once('error', () => { resolve(false) }); udp.bind(port, '127.0.0.1', () => { resolve(true) }) })
      if (!udpOk) {
        try { udp.close() } catch { /* already closed by the failed bind */ }
        await new Promise<void>(resolve => { tcp.close(() => { resolve() }) })
        continue
      }
      held.push({ port, tcp, udp })
    }
    if (held.length < count) throw new Error(`found only ${held.length} of ${count} free ports below ${high}`)
    return held.map(h => h.port)
  } finally {
    await Promise.all(held.map(async h => {
      await new Promise<void>(resolve => { h.udp.close(() => { resolve() }) })
      await new Promise<void>(resolve => { h.tcp.close(() => { resolve() }) })
    }))
  }
}
