import { isIP } from 'node:net'
import { InvalidArgumentError, InvalidConfigError } from '@clusterfunk/core'
import { MAX_NODE_ID_BYTES } from './packet.js'
import type { NodeAddress } from './events.js'

/** A shared secret: a string (its UTF-8 bytes) or raw bytes. */
export type LivenessKey = string | Uint8Array

/** Throws `InvalidConfigError(option)` unless `value` is an integer in [min, max]. */
export function checkInteger (option: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidConfigError(option, `must be an integer from ${min} to ${max}, got ${String(value)}`)
  }
}

/** Throws `InvalidConfigError(option)` unless `value` is a finite number in [min, max]. */
export function checkNumber (option: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidConfigError(option, `must be a number from ${min} to ${max}, got ${String(value)}`)
  }
}

/** Throws `InvalidConfigError(option)` unless `host` is an IPv4 or IPv6 literal. */
export function checkBindHost (option: string, host: string): void {
  if (typeof host !== 'string' || isIP(host) === 0) {
    throw new InvalidConfigError(option, `must be an IPv4 or IPv6 address literal, got ${String(host)}`)
  }
}

/**
 * The key as bytes, or undefined for none. A key shorter than 16 bytes is
 * refused: HMAC with a guessable key authenticates nothing.
 */
export function keyBytes (option: string, key: LivenessKey | undefined): Buffer | undefined {
  if (key === undefined) return undefined
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : (key instanceof Uint8Array ? Buffer.from(key) : undefined)
  if (bytes === undefined || bytes.length < 16) {
    throw new InvalidConfigError(option, 'must be a string or Uint8Array of at least 16 bytes')
  }
  return bytes
}

/** The UTF-8 bytes of a node id; throws `error(message)` unless it has 1..127 of them. */
export function nodeIdBytes (id: string, error: (message: string) => Error): Buffer {
  if (typeof id !== 'string' || id.length === 0) throw error('must be a non-empty string')
  const bytes = Buffer.from(id, 'utf8')
  if (bytes.length > MAX_NODE_ID_BYTES) throw error(`must be at most ${MAX_NODE_ID_BYTES} UTF-8 bytes`)
  return bytes
}

/**
 * Checks a node's address. The host must be an IP literal of the checker's
 * family, because replies are matched by source address and a name would
 * never match the address the reply comes from.
 */
export function checkNodeAddress (address: NodeAddress, family: 4 | 6): void {
  if (typeof address !== 'object' || address === null) throw new InvalidArgumentError('address must be { host, port }')
  if (isIP(address.host) !== family) {
    throw new InvalidArgumentError(`address.host must be an IPv${family} literal (replies are matched by source address), got ${String(address.host)}`)
  }
  if (!Number.isInteger(address.port) || address.port < 1 || address.port > 65535) {
    throw new InvalidArgumentError(`address.port must be an integer from 1 to 65535, got ${String(address.port)}`)
  }
}
