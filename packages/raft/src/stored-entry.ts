import type { DecodeError } from '@clusterfunk/core'
import { ClusterfunkError } from '@clusterfunk/core'
import { crc32 } from './checksum.js'
import { decodeEntry, encodeEntry } from './codec.js'
import type { Entry } from './types.js'

/** A store on disk is damaged: opening it would serve a wrong log. The message names the problem. */
export class CorruptStoreError extends ClusterfunkError {
  static readonly code = 'ERR_CORRUPT_STORE'
  constructor (message: string, options?: ErrorOptions) {
    super(message, CorruptStoreError.code, options)
    this.name = 'CorruptStoreError'
  }
}

/** How a log store keeps an entry: CRC-32 of the encoded entry (4 bytes, big-endian), then the `raft.proto` Entry. */
export function entryValue (e: Entry): Uint8Array {
  const body = encodeEntry(e)
  const value = new Uint8Array(4 + body.length)
  new DataView(value.buffer).setUint32(0, crc32(body))
  value.set(body, 4)
  return value
}

/** Reads a value written by `entryValue` for `index`; throws `CorruptStoreError` naming the problem. */
export function readEntry (index: number, value: Uint8Array, location: string): Entry {
  if (value.length < 4) throw new CorruptStoreError(`log store ${location}: entry ${index} is truncated (${value.length} bytes)`)
  const body = value.subarray(4)
  const crc = new DataView(value.buffer, value.byteOffset, 4).getUint32(0)
  if (crc32(body) !== crc) throw new CorruptStoreError(`log store ${location}: entry ${index} fails its checksum`)
  let e: Entry
  try {
    e = decodeEntry(body)
  } catch (err) {
    throw new CorruptStoreError(`log store ${location}: entry ${index} does not decode (${(err as DecodeError).message})`, { cause: err })
  }
  if (e.index !== index) throw new CorruptStoreError(`log store ${location}: the entry under key ${index} has index ${e.index}`)
  return e
}
