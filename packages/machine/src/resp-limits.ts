import {
  DEFAULT_MAX_ARRAY_ELEMENTS, DEFAULT_MAX_BULK_BYTES, DEFAULT_MAX_INLINE_BYTES, DEFAULT_MAX_NESTING, DEFAULT_MAX_PENDING_BYTES
} from './constants.js'

/** The bounds a `RespReader` enforces; every length on the wire is checked against one of them before anything is allocated. */
export interface RespLimits {
  /** Largest bulk string (or verbatim string, bulk error). */
  maxBulkBytes: number
  /** Most elements of one array, set or push (a map counts keys and values). */
  maxArrayElements: number
  /** Deepest nesting of aggregates (a command is depth 1). */
  maxNesting: number
  /** Longest inline command, and longest simple line (simple string, error, number). */
  maxInlineBytes: number
  /** Bytes buffered (or parsed into an unfinished frame) before a frame completes. */
  maxPendingBytes: number
}

export const DEFAULT_RESP_LIMITS: Readonly<RespLimits> = {
  maxBulkBytes: DEFAULT_MAX_BULK_BYTES,
  maxArrayElements: DEFAULT_MAX_ARRAY_ELEMENTS,
  maxNesting: DEFAULT_MAX_NESTING,
  maxInlineBytes: DEFAULT_MAX_INLINE_BYTES,
  maxPendingBytes: DEFAULT_MAX_PENDING_BYTES
}
