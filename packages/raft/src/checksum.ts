import { crc32 as zlibCrc32 } from 'node:zlib'

/**
 * CRC-32 (IEEE 802.3, as zlib computes it), the checksum of stored log
 * entries, snapshot files and snapshot streams. Node's native zlib does it
 * at memory speed; pass the previous result as `crc` to checksum a stream
 * chunk by chunk (0 to start).
 */
export function crc32 (bytes: Uint8Array, crc = 0): number {
  return zlibCrc32(bytes, crc)
}
