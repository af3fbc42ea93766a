import { InvalidConfigError, type Random } from '@clusterfunk/core'
import { DEFAULT_LATENCY, DEFAULT_MAX_PACKET_BYTES, DEFAULT_REORDER_MAX_EXTRA_MS } from './constants.js'

/**
 * One-way delay of a message in ms: uniform in `[minMs, maxMs]`, or a
 * function drawing from the network's random stream (it must draw only
 * from `random`, or determinism is lost). Negative results count as 0.
 */
export type Latency = { minMs: number, maxMs: number } | ((random: Random) => number)

/** How a link between two nodes treats packets. */
export interface LinkConfig {
  latency: Latency
  /** Probability that a packet is lost. */
  lossRate: number
  /** Probability that a packet is delivered twice (each copy with its own latency). */
  duplicateRate: number
  /** Probability that a packet gets an extra delay in `[0, reorderMaxExtraMs]`, so later packets can overtake it. */
  reorderRate: number
  reorderMaxExtraMs: number
  /** Packets larger than this are dropped at the sender and counted as `oversize`. */
  maxPacketBytes: number
}

export const DEFAULT_LINK: Readonly<LinkConfig> = {
  latency: DEFAULT_LATENCY,
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderMaxExtraMs: DEFAULT_REORDER_MAX_EXTRA_MS,
  maxPacketBytes: DEFAULT_MAX_PACKET_BYTES
}

/** Draws one latency. */
export function sampleLatency (latency: Latency, random: Random): number {
  const ms = typeof latency === 'function' ? latency(random) : latency.minMs + random.float() * (latency.maxMs - latency.minMs)
  return ms > 0 ? ms : 0
}

/** Throws `InvalidConfigError` naming the first bad field of a (partial) link config. */
export function validateLink (config: Partial<LinkConfig>, prefix = ''): void {
  for (const key of ['lossRate', 'duplicateRate', 'reorderRate'] as const) {
    const v = config[key]
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new InvalidConfigError(prefix + key, 'must be a probability in [0, 1]')
  }
  if (config.reorderMaxExtraMs !== undefined && !(config.reorderMaxExtraMs >= 0)) {
    throw new InvalidConfigError(prefix + 'reorderMaxExtraMs', 'must be >= 0')
  }
  if (config.maxPacketBytes !== undefined && !(config.maxPacketBytes >= 0)) {
    throw new InvalidConfigError(prefix + 'maxPacketBytes', 'must be >= 0')
  }
  validateLatency(config.latency, prefix + 'latency')
}

/** Throws `InvalidConfigError` unless `latency` is a function or a range with 0 <= minMs <= maxMs. */
export function validateLatency (latency: Latency | undefined, option = 'latency'): void {
  if (latency === undefined || typeof latency === 'function') return
  if (!(latency.minMs >= 0 && latency.maxMs >= latency.minMs && Number.isFinite(latency.maxMs))) {
    throw new InvalidConfigError(option, 'needs finite 0 <= minMs <= maxMs')
  }
}
