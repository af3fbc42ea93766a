import { readAll, type Entry, type Fsm } from '../../src/index.js'

const dec = new TextDecoder()
const enc = new TextEncoder()

/** A command for `KvFsm`: `key=value` as UTF-8. */
export function setCommand (key: string, value: string): Uint8Array {
  return enc.encode(`${key}=${value}`)
}

/**
 * A key-value state machine: `key=value` commands (UTF-8) or raw binary
 * commands of 16 bytes (8-byte key, 8-byte value, as in the benchmark).
 * `apply` returns the entry's index. Snapshots are JSON.
 */
export class KvFsm implements Fsm<number> {
  map = new Map<string, string>()
  appliedCount = 0
  restores = 0

  apply (entry: Entry): number {
    this.appliedCount++
    const text = entry.data.length === 16 && entry.data[8] !== 0x3d ? undefined : dec.decode(entry.data)
    if (text === undefined) {
      this.map.set(Buffer.from(entry.data.subarray(0, 8)).toString('hex'), Buffer.from(entry.data.subarray(8)).toString('hex'))
    } else {
      const at = text.indexOf('=')
      this.map.set(text.slice(0, at), text.slice(at + 1))
    }
    return entry.index
  }

  snapshot (): AsyncIterable<Uint8Array> {
    // Capture synchronously (a copy), serialise lazily in slices so applies are not stalled.
    const pairs = [...this.map]
    return (async function * () {
      yield enc.encode('[')
      for (let i = 0; i < pairs.length; i += 4096) {
        const slice = JSON.stringify(pairs.slice(i, i + 4096))
        yield enc.encode((i === 0 ? '' : ',') + slice.slice(1, -1))
        await new Promise<void>(resolve => { setImmediate(resolve) })
      }
      yield enc.encode(']')
    })()
  }

  async restore (stream: AsyncIterable<Uint8Array>): Promise<void> {
    this.restores++
    const bytes = await readAll(stream)
    this.map = new Map(bytes.length === 0 ? [] : JSON.parse(dec.decode(bytes)) as Array<[string, string]>)
  }
}
