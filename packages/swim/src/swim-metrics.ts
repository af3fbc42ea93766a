import type { Counter, Gauge, Histogram, Metrics } from '@clusterfunk/core'

/** Why inbound bytes were dropped. */
export type DropReason =
  | 'decrypt' // no installed key (or not this label) authenticates it, or too short to be sealed
  | 'decode' // not a valid Packet / PushPull / frame kind after decryption
  | 'oversize' // larger than the datagram or frame limit
  | 'empty' // a zero-length datagram or frame
  | 'timeout' // a stream that did not deliver its frame in time
  | 'truncated' // a stream closed in the middle of a frame
  | 'busy' // a stream refused: too many connections (in all or from its address) or push/pulls at once
  | 'unexpected' // a valid frame of a kind not allowed at that point of an exchange
  | 'version' // sealed in another layout version (a member of an older release)
  | 'replay' // sealed and authentic, but seen before, too old for its sender's window, or from an earlier life of it
  | 'stale' // sealed and authentic, but sent outside the time window (maxMessageAgeMs)
  | 'misdirected' // sealed and authentic, but for another recipient

export const DROP_REASONS: readonly DropReason[] = ['decrypt', 'decode', 'oversize', 'empty', 'timeout', 'truncated', 'busy', 'unexpected', 'version', 'replay', 'stale', 'misdirected']

/** Why the listener closed a connection on accept: the total or the per-address cap was reached. */
export type RefusalReason = 'total' | 'perAddress'

/** Which side of the transport. */
export type TransportKind = 'udp' | 'tcp'

/** Counts of one `Swim` node's traffic since it was built. */
export interface SwimStats {
  /** Inbound datagrams and streams dropped, by transport and reason. */
  dropped: Record<TransportKind, Record<DropReason, number>>
  bytesIn: Record<TransportKind, number>
  bytesOut: Record<TransportKind, number>
  packetsIn: number
  packetsOut: number
  /** Datagrams or streams that could not be sent (unparseable address, socket error, refused connection). */
  sendErrors: number
  /** Inbound connections closed on accept, by cap (also counted in `dropped.tcp.busy`). */
  refusedConnections: Record<RefusalReason, number>
}

function zeroDrops (): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map(r => [r, 0])) as Record<DropReason, number>
}

/**
 * The driver's figures, kept as plain numbers (for `stats()`) and reported
 * through the core `Metrics` interface as `clusterfunk_swim_*` series.
 */
export class SwimMetrics {
  private readonly counts: SwimStats = {
    dropped: { udp: zeroDrops(), tcp: zeroDrops() },
    bytesIn: { udp: 0, tcp: 0 },
    bytesOut: { udp: 0, tcp: 0 },
    packetsIn: 0,
    packetsOut: 0,
    sendErrors: 0,
    refusedConnections: { total: 0, perAddress: 0 }
  }

  private readonly droppedCounter: Counter
  private readonly bytesInCounter: Counter
  private readonly bytesOutCounter: Counter
  private readonly sendErrorCounter: Counter
  readonly probeRtt: Histogram
  readonly suspicions: Counter
  readonly refutations: Counter
  readonly failures: Counter
  readonly queueDepth: Gauge
  readonly members: Gauge

  constructor (metrics: Metrics) {
    this.droppedCounter = metrics.counter({ name: 'clusterfunk_swim_dropped_packets_total', help: 'Inbound datagrams and streams dropped, by transport and reason', labelNames: ['transport', 'reason'] })
    this.bytesInCounter = metrics.counter({ name: 'clusterfunk_swim_bytes_received_total', help: 'Bytes received, by transport', labelNames: ['transport'] })
    this.bytesOutCounter = metrics.counter({ name: 'clusterfunk_swim_bytes_sent_total', help: 'Bytes sent, by transport', labelNames: ['transport'] })
    this.sendErrorCounter = metrics.counter({ name: 'clusterfunk_swim_send_errors_total', help: 'Datagrams or streams that could not be sent' })
    this.probeRtt = metrics.histogram({ name: 'clusterfunk_swim_probe_rtt_seconds', help: 'Round trip of direct UDP probes (ping to ack), in seconds', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1] })
    this.suspicions = metrics.counter({ name: 'clusterfunk_swim_suspicions_total', help: 'Members this node saw become suspect' })
    this.refutations = metrics.counter({ name: 'clusterfunk_swim_refutations_total', help: 'Times this node refuted a suspicion or death of itself' })
    this.failures = metrics.counter({ name: 'clusterfunk_swim_failures_total', help: 'Members this node saw fail' })
    this.queueDepth = metrics.gauge({ name: 'clusterfunk_swim_broadcast_queue_depth', help: 'Broadcasts waiting in the gossip queue' })
    this.members = metrics.gauge({ name: 'clusterfunk_swim_members', help: 'Members known, this node included, by status', labelNames: ['status'] })
  }

  drop (transport: TransportKind, reason: DropReason): void {
    this.counts.dropped[transport][reason]++
    this.droppedCounter.inc({ transport, reason })
  }

  /** A connection closed on accept by the listener's caps (its own series counts it by reason too). */
  refused (reason: RefusalReason): void {
    this.counts.refusedConnections[reason]++
    this.drop('tcp', 'busy')
  }

  received (transport: TransportKind, bytes: number): void {
    this.counts.bytesIn[transport] += bytes
    if (transport === 'udp') this.counts.packetsIn++
    this.bytesInCounter.inc({ transport }, bytes)
  }

  sent (transport: TransportKind, bytes: number): void {
    this.counts.bytesOut[transport] += bytes
    if (transport === 'udp') this.counts.packetsOut++
    this.bytesOutCounter.inc({ transport }, bytes)
  }

  sendError (): void {
    this.counts.sendErrors++
    this.sendErrorCounter.inc()
  }

  /** A deep copy of the counts. */
  snapshot (): SwimStats {
    return structuredClone(this.counts)
  }
}

/** Sum of the drops of one stats snapshot, over both transports and every reason. */
export function totalDropped (stats: SwimStats): number {
  let sum = 0
  for (const t of ['udp', 'tcp'] as const) for (const r of DROP_REASONS) sum += stats.dropped[t][r]
  return sum
}
