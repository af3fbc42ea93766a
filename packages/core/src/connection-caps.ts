import type { Counter, Gauge, Metrics } from './metrics.js'

/** The caps of one listener. */
export interface ConnectionCapsInit {
  /** What listens, for the metrics' help text. */
  part: string
  /** Prefix of the metric series. */
  metricPrefix: string
  maxConnections: number
  maxConnectionsPerAddress: number
}

/**
 * Admission of accepted connections under a total and a per-address cap,
 * counted in `<prefix>_connections_refused_total{reason}` with the open
 * connections as `<prefix>_connections_open`: the rule a `ConnectionGuard`
 * applies to real sockets and a simulated listener to simulated ones.
 */
export class ConnectionCaps {
  /** Connections refused, by reason. */
  readonly refused = { total: 0, perAddress: 0 }
  private open = 0
  private readonly perAddress = new Map<string, number>()
  private readonly refusedCounter: Counter
  private readonly openGauge: Gauge

  constructor (metrics: Metrics, private readonly init: ConnectionCapsInit) {
    this.refusedCounter = metrics.counter({ name: `${init.metricPrefix}_connections_refused_total`, help: `Connections the ${init.part} listener closed on accept, by reason`, labelNames: ['reason'] })
    this.openGauge = metrics.gauge({ name: `${init.metricPrefix}_connections_open`, help: `Connections open on the ${init.part} listener` })
  }

  /** Connections admitted and not released yet. */
  get connections (): number {
    return this.open
  }

  /**
   * Admits a connection from `remote` and returns the function that
   * releases it (call it once, when it closes), or undefined when a cap
   * refuses it (counted; close it).
   */
  admit (remote: string): (() => void) | undefined {
    if (this.open >= this.init.maxConnections) return this.refuse('total')
    const fromRemote = this.perAddress.get(remote) ?? 0
    if (fromRemote >= this.init.maxConnectionsPerAddress) return this.refuse('perAddress')
    this.open++
    this.perAddress.set(remote, fromRemote + 1)
    this.openGauge.inc()
    let released = false
    return () => {
      if (released) return
      released = true
      this.open--
      const left = (this.perAddress.get(remote) ?? 1) - 1
      if (left <= 0) this.perAddress.delete(remote)
      else this.perAddress.set(remote, left)
      this.openGauge.dec()
    }
  }

  /** Forgets every admitted connection (the listener closed them all). */
  reset (): void {
    this.open = 0
    this.perAddress.clear()
    this.openGauge.set(0)
  }

  private refuse (reason: 'total' | 'perAddress'): undefined {
    this.refused[reason]++
    this.refusedCounter.inc({ reason })
    return undefined
  }
}
