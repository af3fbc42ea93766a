import { InvalidConfigError } from '@clusterfunk/core'
import { DEFAULT_HOST, DEFAULT_INTERVAL_MS, DEFAULT_MIN_TIMEOUT_MS, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MULTIPLIER } from './constants.js'
import { checkBindHost, checkInteger, checkNumber, keyBytes, type LivenessKey } from './options.js'

/** Options of the checker; every one is optional. */
export interface LivenessCheckerInit {
  /** How often each node is probed (ms), 10..60 000. Default 100. */
  intervalMs?: number
  /** Consecutive missed probes that make a node dead, 1..100. Default 3. */
  retries?: number
  /** Timeout = this × moving average of the RTT, clamped to [minTimeoutMs, intervalMs]; 1..100. Default 5. */
  timeoutMultiplier?: number
  /** Lower bound of the adaptive timeout (ms), 1..intervalMs. Default 10. */
  minTimeoutMs?: number
  /** Shared secret (≥ 16 bytes): probes carry its HMAC and replies must. Default: none. */
  key?: LivenessKey
  /** Address the checker's socket binds; nodes must be of the same IP family. Default `127.0.0.1`. */
  host?: string
  /** Port the checker's socket binds; 0 (default) picks a free one. */
  port?: number
}

/** The options with defaults applied and validated. */
export interface ResolvedCheckerInit {
  intervalMs: number
  retries: number
  timeoutMultiplier: number
  minTimeoutMs: number
  key: Buffer | undefined
  host: string
  port: number
}

/** Applies defaults and validates; throws `InvalidConfigError` naming the first bad option. */
export function resolveCheckerInit (init: LivenessCheckerInit): ResolvedCheckerInit {
  if (typeof init !== 'object' || init === null) throw new InvalidConfigError('init', 'must be an object')
  const r: ResolvedCheckerInit = {
    intervalMs: init.intervalMs ?? DEFAULT_INTERVAL_MS,
    retries: init.retries ?? DEFAULT_RETRIES,
    timeoutMultiplier: init.timeoutMultiplier ?? DEFAULT_TIMEOUT_MULTIPLIER,
    minTimeoutMs: init.minTimeoutMs ?? DEFAULT_MIN_TIMEOUT_MS,
    key: keyBytes('key', init.key),
    host: init.host ?? DEFAULT_HOST,
    port: init.port ?? 0
  }
  checkNumber('intervalMs', r.intervalMs, 10, 60_000)
  checkInteger('retries', r.retries, 1, 100)
  checkNumber('timeoutMultiplier', r.timeoutMultiplier, 1, 100)
  checkNumber('minTimeoutMs', r.minTimeoutMs, 1, r.intervalMs)
  checkBindHost('host', r.host)
  checkInteger('port', r.port, 0, 65535)
  return r
}
