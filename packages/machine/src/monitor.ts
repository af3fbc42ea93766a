/** One processed command, as MONITOR shows it. */
export interface MonitorMessage {
  /** Unix time in seconds with microseconds. */
  timeSec: number
  remoteAddress: string
  args: readonly string[]
}

/** Redis's MONITOR line: `1339518083.107412 [0 127.0.0.1:60866] "keys" "*"`. */
export function formatMonitorLine (m: MonitorMessage): string {
  const quoted = m.args.map(a => `"${[...a].map(quoteChar).join('')}"`)
  return `${m.timeSec.toFixed(6)} [0 ${m.remoteAddress}] ${quoted.join(' ')}`
}

function quoteChar (c: string): string {
  if (c === '\\' || c === '"') return `\\${c}`
  const code = c.charCodeAt(0)
  return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c
}

/**
 * The stream of every command a node processes (uhaha's Monitor and
 * Observer). Observers are called synchronously and must not block; a
 * MONITOR client that falls behind is dropped by its connection.
 */
export class Monitor {
  private readonly observers = new Set<(m: MonitorMessage) => void>()

  get active (): boolean {
    return this.observers.size > 0
  }

  observe (fn: (m: MonitorMessage) => void): () => void {
    this.observers.add(fn)
    return () => { this.observers.delete(fn) }
  }

  send (m: MonitorMessage): void {
    for (const fn of this.observers) fn(m)
  }
}
