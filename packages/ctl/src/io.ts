import type { ZeroconfPeer } from '@clusterfunk/management'

/**
 * Everything `run()` touches outside itself, so the CLI can be driven in
 * a test: output, environment, cancellation, zeroconf and files.
 */
export interface CtlIo {
  /** Writes to standard output (text includes its newlines). */
  stdout: (text: string) => void
  /** Writes to standard error. */
  stderr: (text: string) => void
  /** Environment variables (FUNKCTL_*). Default none. */
  env?: Readonly<Record<string, string | undefined>>
  /** Fires to end `watch` (and cancel calls): the bin wires it to SIGINT/SIGTERM. */
  signal?: AbortSignal
  /** Browses zeroconf for `timeoutMs` and returns the records of `clusterName`. Default: `browsePeers` (mDNS) on the LAN. */
  discover?: (clusterName: string, timeoutMs: number) => Promise<ZeroconfPeer[]>
  /** Reads a file (`--tls-ca`). Default `fs.readFile`. */
  readFile?: (path: string) => Promise<Buffer>
}
