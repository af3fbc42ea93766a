import { parseHostPort } from '@clusterfunk/management'
import { UsageError } from './exit-codes.js'

/** Default deadline of each call. */
export const DEFAULT_TIMEOUT_MS = 5_000
/** How long to browse zeroconf for a management endpoint (clusterfunk's ~1 s). */
export const DISCOVER_MS = 1_000

/** The global options as commander parses them. */
export interface RawGlobalOptions {
  endpoint?: string
  cluster?: string
  token?: string
  tlsCa?: string
  timeout?: string
  json?: boolean
  insecure?: boolean
}

/** The global options, checked, with the environment applied. */
export interface GlobalOptions {
  endpoint?: string
  cluster?: string
  token?: string
  tlsCa?: string
  timeoutMs: number
  json: boolean
  insecure: boolean
}

/**
 * A duration: `250ms`, `5s`, `1m`, or a bare number of seconds; more than
 * 0 and at most an hour.
 * @throws UsageError
 */
export function parseDuration (text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  const unit = match?.[2] ?? 's'
  const ms = match === null ? NaN : Number(match[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1_000 : 60_000)
  if (!(ms > 0 && ms <= 3_600_000)) throw new UsageError(`${option} must be a duration such as 500ms, 5s or 1m (at most 1h), not "${text}"`)
  return ms
}

/** @throws UsageError when `text` is not host:port */
export function checkEndpoint (text: string): string {
  if (parseHostPort(text) === undefined) throw new UsageError(`--endpoint must be host:port (such as 127.0.0.1:9090), not "${text}"`)
  return text
}

function pick (flag: string | undefined, env: string | undefined): string | undefined {
  if (flag !== undefined) return flag
  return env === undefined || env === '' ? undefined : env
}

/** Applies FUNKCTL_* variables under the flags and checks every value. @throws UsageError */
export function resolveOptions (raw: RawGlobalOptions, env: Readonly<Record<string, string | undefined>>): GlobalOptions {
  const endpoint = pick(raw.endpoint, env.FUNKCTL_ENDPOINT)
  const cluster = pick(raw.cluster, env.FUNKCTL_CLUSTER)
  const token = pick(raw.token, env.FUNKCTL_TOKEN)
  const tlsCa = pick(raw.tlsCa, env.FUNKCTL_TLS_CA)
  const timeout = pick(raw.timeout, env.FUNKCTL_TIMEOUT)
  return {
    ...(endpoint === undefined ? {} : { endpoint: checkEndpoint(endpoint) }),
    ...(cluster === undefined ? {} : { cluster }),
    ...(token === undefined ? {} : { token }),
    ...(tlsCa === undefined ? {} : { tlsCa }),
    timeoutMs: timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(timeout, '--timeout'),
    json: raw.json === true,
    insecure: raw.insecure === true
  }
}
