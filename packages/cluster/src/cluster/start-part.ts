import { PortInUseError } from '@clusterfunk/core'

/** The parts of a node that listen on a port, by the names an operator knows them. */
export type ListeningPart = 'gossip' | 'raft' | 'liveness' | 'management' | 'metrics'

/** True when `err` (or an error it was caused by) says the address is taken. */
function addressTaken (err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false
  if (err instanceof PortInUseError) return true
  if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') return true
  // grpc-js reports a failed bind in its message only ("... EADDRINUSE ..." / "address already in use").
  if (/EADDRINUSE|address already in use/i.test(err.message)) return true
  return addressTaken(err.cause, depth + 1)
}

/**
 * Starts one part; when its port is taken, rejects with a `PortInUseError`
 * naming the part (`gossip`, `raft`, `liveness`, `management`, `metrics`)
 * and the address it asked for, the listen error as its `cause`, instead
 * of a bare EADDRINUSE. Other errors pass through as they are.
 */
export async function startPart (part: ListeningPart, host: string, port: number | undefined, start: () => Promise<void>): Promise<void> {
  try {
    await start()
  } catch (err) {
    if (!addressTaken(err)) throw err
    const address = `${host.includes(':') ? `[${host}]` : host}:${port ?? 0}`
    throw new PortInUseError(part, address, { cause: err })
  }
}
