import { CommandError } from './errors.js'
import type { RespFrame, RespProtocol } from './resp-frame.js'
import { frameForProtocol } from './resp-writer.js'

/** A reply sent as a RESP simple string (`+OK`), not a bulk string. */
export class SimpleString {
  constructor (readonly value: string) {}
}

/** The `+OK` reply. */
export const OK = new SimpleString('OK')

/** A reply that is already a frame (sent as it is, downgraded for RESP2). */
export class RawReply {
  constructor (readonly frame: RespFrame) {}
}

/** The RESP error text of an error: `PREFIX message`. */
export function errorText (err: unknown): string {
  if (err instanceof CommandError) return `${err.prefix} ${err.message}`
  const message = err instanceof Error ? err.message : String(err)
  return /^[A-Z]+ /.test(message) ? message : `ERR ${message}`
}

/**
 * What a command returns, as a frame for a client speaking `protocol`:
 * string and Buffer → bulk; integer → integer; other number → double
 * (RESP2: bulk); boolean → RESP3 boolean (RESP2: 1/0); null/undefined → null;
 * Error → error; array → array; Set → set; Map or plain object → map (RESP2:
 * flat array); bigint → big number; `SimpleString` → simple string.
 */
export function toFrame (value: unknown, protocol: RespProtocol): RespFrame {
  return frameForProtocol(frame(value, 0), protocol)
}

function frame (value: unknown, depth: number): RespFrame {
  if (depth > 64) return { type: 'error', value: 'ERR reply nested too deeply' }
  if (value === null || value === undefined) return { type: 'null' }
  if (typeof value === 'string') return { type: 'bulk', value: Buffer.from(value) }
  if (Buffer.isBuffer(value)) return { type: 'bulk', value }
  if (value instanceof Uint8Array) return { type: 'bulk', value: Buffer.from(value) }
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { type: 'integer', value } : { type: 'double', value }
  if (typeof value === 'bigint') return { type: 'bignum', value }
  if (typeof value === 'boolean') return { type: 'boolean', value }
  if (value instanceof SimpleString) return { type: 'simple', value: value.value }
  if (value instanceof RawReply) return value.frame
  if (value instanceof Error) return { type: 'error', value: errorText(value) }
  if (Array.isArray(value)) return { type: 'array', value: value.map(v => frame(v, depth + 1)) }
  if (value instanceof Set) return { type: 'set', value: [...value].map(v => frame(v, depth + 1)) }
  if (value instanceof Map) return { type: 'map', value: [...value].map(([k, v]) => [frame(k, depth + 1), frame(v, depth + 1)]) }
  if (value instanceof Date) return { type: 'bulk', value: Buffer.from(value.toISOString()) }
  if (typeof value === 'object') return { type: 'map', value: Object.entries(value).map(([k, v]) => [frame(k, depth + 1), frame(v, depth + 1)]) }
  return { type: 'bulk', value: Buffer.from(String(value)) }
}
