import { InvalidConfigError } from '@clusterfunk/core'

/**
 * Timing and sizing of the SWIM protocol. Start from a preset
 * (`lanConfig`, `wanConfig`, `localConfig`) and override single fields with
 * `swimConfig(preset, overrides)`, which validates the result.
 *
 * All durations are milliseconds of the `now` the driver passes in.
 */
export interface SwimConfig {
  /** Time between two probes of the failure detector (memberlist ProbeInterval). */
  probeIntervalMs: number
  /**
   * How long to wait for the direct ack before asking others to probe
   * indirectly (ProbeTimeout). Should be about the 99th percentile of RTT.
   */
  probeTimeoutMs: number
  /** Members asked to probe a target indirectly when the direct ping fails (IndirectChecks). */
  indirectChecks: number
  /** Time between two gossip rounds of queued broadcasts (GossipInterval). */
  gossipIntervalMs: number
  /** Random members each gossip round sends broadcasts to (GossipNodes). */
  gossipNodes: number
  /**
   * Scales the suspicion timeout: min = mult · max(1, log10 N) · probe
   * interval (SuspicionMult). The confirmations wanted are mult − 2.
   */
  suspicionMult: number
  /**
   * The suspicion timeout starts at this many times its minimum and shrinks
   * to the minimum as independent confirmations arrive (Lifeguard,
   * SuspicionMaxTimeoutMult).
   */
  suspicionMaxTimeoutMult: number
  /** Each broadcast is sent mult · ⌈log10(N+1)⌉ times (RetransmitMult). */
  retransmitMult: number
  /**
   * Time between two full-state push/pull exchanges over TCP, scaled up
   * beyond 32 members (PushPullInterval). 0 disables periodic push/pull.
   */
  pushPullIntervalMs: number
  /**
   * How long a dead or left member is kept as a tombstone, still gossiped
   * to, before it is reaped and forgotten (GossipToTheDeadTime).
   */
  gossipToTheDeadTimeMs: number
  /**
   * How long after a member failed its name may be taken by a node at a new
   * address. A member that left can be reclaimed at once. 0 = as soon as it
   * is dead. (memberlist's DeadNodeReclaimTime, where 0 means "never while
   * the tombstone lives"; here a reaped tombstone frees the name anyway.)
   */
  deadNodeReclaimTimeMs: number
  /**
   * How often a reconnect is tried (Serf's ReconnectInterval): one member
   * declared failed (not one that left), picked at random, is sent a join
   * push/pull, with probability failed / live members so a cluster tries
   * each failed member about once an interval. 0 disables reconnects; failed
   * members are then reaped after gossipToTheDeadTimeMs like left ones.
   */
  reconnectIntervalMs: number
  /**
   * How long a failed member is remembered and retried before it is reaped
   * for good, with a `member:reap` event (Serf's ReconnectTimeout). Beyond
   * gossipToTheDeadTimeMs it no longer counts in the cluster size estimate.
   */
  reconnectTimeoutMs: number
  /** Upper bound of the Lifeguard local-health score + 1 (AwarenessMaxMultiplier). */
  awarenessMaxMultiplier: number
  /** Largest UDP datagram the core builds, in bytes (UDPBufferSize). */
  udpPacketSize: number
  /**
   * Bytes of each datagram the driver needs for itself (encryption header
   * and tag, label); the core packs messages into `udpPacketSize` minus this.
   */
  packetOverheadBytes: number
  /** Largest total size of a member's tags: UTF-8 bytes of every key and value. */
  maxTagsBytes: number
  /** Ask the driver for a TCP ping when the UDP probes of a member fail (memberlist's TCP fallback). */
  tcpFallbackPing: boolean
  /**
   * The driver's bound on one TCP exchange (connect, write, read) for
   * push/pull, fallback pings and oversized gossip (memberlist TCPTimeout).
   * The core itself does not use it.
   */
  tcpTimeoutMs: number
  /**
   * Largest payload of a user event, a query or a query response, in
   * bytes. Each must also fit in one datagram (`udpPacketSize` minus
   * `packetOverheadBytes`) with its name and headers; `fire` and `query`
   * check both.
   */
  maxUserPayloadBytes: number
  /** User events and queries remembered for de-duplication; older ones (by Lamport time) are dropped as stale. */
  recentUserMessages: number
}

/** memberlist's DefaultLANConfig: a LAN, RTT well below 500 ms. */
export const lanConfig: Readonly<SwimConfig> = Object.freeze({
  probeIntervalMs: 1000, // one probe a second keeps load constant per member
  probeTimeoutMs: 500, // generous for a LAN: 99th percentile RTT, with slack
  indirectChecks: 3, // three relays: one lossy path does not cause a suspicion
  gossipIntervalMs: 200, // five gossip rounds per probe interval
  gossipNodes: 3, // fan-out of each gossip round
  suspicionMult: 4, // min suspicion 4 probe intervals at N ≤ 10
  suspicionMaxTimeoutMult: 6, // Lifeguard: start at 6 × min without confirmations
  retransmitMult: 4, // each broadcast 4 · ⌈log10(N+1)⌉ times
  pushPullIntervalMs: 30_000, // anti-entropy every 30 s
  gossipToTheDeadTimeMs: 30_000, // tell the dead they are dead for 30 s, then reap
  deadNodeReclaimTimeMs: 0, // a failed name may be reused at once
  reconnectIntervalMs: 30_000, // Serf: try one failed member every 30 s
  reconnectTimeoutMs: 24 * 3_600_000, // Serf: a failed member is retried for 24 h, then reaped
  awarenessMaxMultiplier: 8, // at worst probe 8× slower when unhealthy
  udpPacketSize: 1400, // below a 1500-byte Ethernet MTU with IP/UDP headers
  packetOverheadBytes: 0, // no encryption in the core's budget by default
  maxTagsBytes: 4096, // Serf-style tags, larger than memberlist's 512-byte meta
  tcpFallbackPing: true, // catches members whose UDP is blocked while TCP works
  tcpTimeoutMs: 10_000, // a push/pull of a large cluster may take a while on a busy LAN
  maxUserPayloadBytes: 1024, // twice Serf's 512 bytes, and a 1024-byte event still fits an encrypted 1400-byte datagram
  recentUserMessages: 1024 // Serf remembers 1024 events and 1024 queries
})

/** memberlist's DefaultWANConfig: higher latency and loss. */
export const wanConfig: Readonly<SwimConfig> = Object.freeze({
  ...lanConfig,
  probeIntervalMs: 5000, // probing a WAN peer costs more and RTTs vary more
  probeTimeoutMs: 3000, // RTT across regions can reach seconds under load
  gossipIntervalMs: 500, // fewer, larger gossip rounds
  gossipNodes: 4, // more fan-out to make up for loss
  suspicionMult: 6, // min suspicion 6 probe intervals
  pushPullIntervalMs: 60_000, // full sync every minute
  gossipToTheDeadTimeMs: 60_000, // keep tombstones a minute
  // reconnects as on a LAN (Serf uses the same 30 s / 24 h for its WAN pool)
  tcpTimeoutMs: 30_000 // streams across regions are slow to open and fill
})

/** memberlist's DefaultLocalConfig: loopback or a single host, fast detection. */
export const localConfig: Readonly<SwimConfig> = Object.freeze({
  ...lanConfig,
  probeTimeoutMs: 200, // loopback RTT is microseconds
  indirectChecks: 1, // one relay is enough on one host
  gossipIntervalMs: 100, // ten gossip rounds a second
  suspicionMult: 3, // min suspicion 3 probe intervals
  retransmitMult: 2, // loss is rare on loopback
  pushPullIntervalMs: 15_000, // full sync every 15 s
  gossipToTheDeadTimeMs: 15_000, // keep tombstones 15 s
  reconnectIntervalMs: 5000, // a local port costs nothing to retry: a healed cut mends within seconds
  reconnectTimeoutMs: 3_600_000, // a local member gone for an hour is not coming back at that port
  tcpTimeoutMs: 1000 // loopback streams open in microseconds
})

const positiveMs: ReadonlyArray<keyof SwimConfig> = ['probeIntervalMs', 'probeTimeoutMs', 'gossipIntervalMs', 'tcpTimeoutMs']
const nonNegativeMs: ReadonlyArray<keyof SwimConfig> = ['pushPullIntervalMs', 'gossipToTheDeadTimeMs', 'deadNodeReclaimTimeMs', 'reconnectIntervalMs', 'reconnectTimeoutMs']
const counts: ReadonlyArray<[keyof SwimConfig, number]> = [
  ['indirectChecks', 0], ['gossipNodes', 0], ['suspicionMult', 1], ['suspicionMaxTimeoutMult', 1],
  ['retransmitMult', 1], ['awarenessMaxMultiplier', 1], ['packetOverheadBytes', 0], ['maxTagsBytes', 0],
  ['maxUserPayloadBytes', 0], ['recentUserMessages', 1]
]

/** Smallest datagram that still holds a ping and an ack with their headers. */
export const MIN_UDP_PACKET_SIZE = 256

/**
 * Checks a complete configuration and returns it. Throws
 * `InvalidConfigError` naming the first field at fault.
 */
export function validateConfig (config: SwimConfig): SwimConfig {
  for (const key of positiveMs) {
    const v = config[key]
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new InvalidConfigError(key, 'must be a positive number of milliseconds')
  }
  for (const key of nonNegativeMs) {
    const v = config[key]
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InvalidConfigError(key, 'must be zero or a positive number of milliseconds')
  }
  for (const [key, min] of counts) {
    const v = config[key]
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new InvalidConfigError(key, `must be an integer >= ${min}`)
  }
  if (config.probeTimeoutMs >= config.probeIntervalMs) {
    throw new InvalidConfigError('probeTimeoutMs', 'must be shorter than probeIntervalMs, which leaves the indirect probes their time')
  }
  if (!Number.isSafeInteger(config.udpPacketSize) || config.udpPacketSize - config.packetOverheadBytes < MIN_UDP_PACKET_SIZE) {
    throw new InvalidConfigError('udpPacketSize', `must leave at least ${MIN_UDP_PACKET_SIZE} bytes after packetOverheadBytes`)
  }
  if (typeof config.tcpFallbackPing !== 'boolean') throw new InvalidConfigError('tcpFallbackPing', 'must be true or false')
  return config
}

/**
 * A validated configuration: `base` (default `lanConfig`) with `overrides`
 * applied. Throws `InvalidConfigError` when a value is out of range.
 */
export function swimConfig (base: Readonly<SwimConfig> = lanConfig, overrides: Partial<SwimConfig> = {}): SwimConfig {
  return validateConfig({ ...base, ...overrides })
}
