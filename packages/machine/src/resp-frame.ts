/**
 * One RESP value as it travels, RESP2 and RESP3 alike. The reader produces
 * these and the writer encodes them byte for byte, so a frame survives a
 * round trip unchanged. Integers are JavaScript numbers and must be safe
 * integers (a larger one is a protocol error; RESP3 big numbers carry the rest).
 */
export type RespFrame =
  | { type: 'simple', value: string }
  | { type: 'error', value: string }
  | { type: 'integer', value: number }
  | { type: 'bulk', value: Buffer | null }
  | { type: 'array', value: RespFrame[] | null }
  | { type: 'null' }
  | { type: 'double', value: number }
  | { type: 'boolean', value: boolean }
  | { type: 'bignum', value: bigint }
  | { type: 'bulkError', value: Buffer }
  | { type: 'verbatim', format: string, value: Buffer }
  | { type: 'map', value: Array<[RespFrame, RespFrame]> }
  | { type: 'set', value: RespFrame[] }
  | { type: 'push', value: RespFrame[] }

/** The protocol a connection speaks: 2 until `HELLO 3`. */
export type RespProtocol = 2 | 3
