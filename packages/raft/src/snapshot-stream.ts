import { crc32 } from './checksum.js'
import type { SnapshotChunk } from './codec.js'

/**
 * The data of a received InstallSnapshot stream, checked while it is read:
 * chunks must come in order of offset, and the CRC-32 of everything read
 * must equal the one the last chunk carries. `next` gives the chunk after
 * the previous one, or undefined when the stream ended; `bad` is called
 * with what is wrong and must throw. Every transport reads snapshots
 * through this, so the checks live in one place.
 */
export async function * verifiedSnapshotData (
  first: SnapshotChunk,
  next: () => Promise<SnapshotChunk | undefined>,
  bad: (why: string) => never
): AsyncGenerator<Uint8Array> {
  let expect = 0
  let crc = 0
  for (let c: SnapshotChunk | undefined = first; ; c = await next()) {
    if (c === undefined) bad('the stream ended before its last chunk')
    const chunk = c as SnapshotChunk
    if (chunk.offset !== expect) bad(`chunk at ${chunk.offset}, expected ${expect}`)
    crc = crc32(chunk.data, crc)
    expect += chunk.data.length
    if (chunk.data.length > 0) yield chunk.data
    if (chunk.last) {
      if (chunk.crc32 !== crc) bad('checksum mismatch')
      return
    }
  }
}
