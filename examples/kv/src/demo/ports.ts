import { createServer } from 'node:net'

/**
 * A TCP port free on 127.0.0.1 right now. The demo fixes every port up
 * front so a node restarted after kill -9 comes back at the same addresses,
 * which SWIM takes back at once.
 */
export async function freePort (): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : 0) })
    })
  })
}

/** `n` distinct free ports. */
export async function freePorts (n: number): Promise<number[]> {
  const ports = new Set<number>()
  // Bounded: a port handed out twice in a row is rare, 10n tries is plenty.
  for (let i = 0; ports.size < n && i < n * 10; i++) ports.add(await freePort())
  if (ports.size < n) throw new Error(`could not find ${n} free ports on 127.0.0.1`)
  return [...ports]
}
