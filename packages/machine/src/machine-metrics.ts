/**
 * The node's own figures, kept as plain numbers so the hot path costs an
 * addition; `prometheusText` (see metrics-service.ts) renders them.
 */
export class MachineMetrics {
  /** Commands processed, by lower-cased name and outcome. */
  readonly commands = new Map<string, { ok: number, error: number }>()
  /** Command latency histogram buckets (ms, upper bounds) and counts. */
  readonly latencyBucketsMs = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000]
  readonly latencyCounts = new Array<number>(this.latencyBucketsMs.length + 1).fill(0)
  latencySumMs = 0
  latencyCount = 0
  /** Commands forwarded to the leader. */
  forwarded = 0
  /** Client connections opened in all, and open now. */
  connectionsTotal = 0
  connectionsOpen = 0
  /** Connections closed for a protocol error or a bound. */
  protocolErrors = 0

  record (name: string, ok: boolean, latencyMs: number): void {
    // Unknown names are folded into one label so a client cannot grow the map without bound.
    let c = this.commands.get(name)
    if (c === undefined) {
      if (this.commands.size >= 1000) name = 'other'
      c = this.commands.get(name) ?? { ok: 0, error: 0 }
      this.commands.set(name, c)
    }
    if (ok) c.ok++
    else c.error++
    let i = 0
    while (i < this.latencyBucketsMs.length && latencyMs > (this.latencyBucketsMs[i] as number)) i++
    this.latencyCounts[i] = (this.latencyCounts[i] as number) + 1
    this.latencySumMs += latencyMs
    this.latencyCount++
  }
}
