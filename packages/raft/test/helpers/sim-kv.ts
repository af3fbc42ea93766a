import { readAll, type Entry, type Fsm } from '../../src/index.js'
import type { KvInput, KvOutput } from '../../src/sim.js'

const enc = new TextEncoder()
const dec = new TextDecoder()

/** The bytes of a write command for `SimKvFsm`. */
export function kvCommand (input: KvInput): Uint8Array {
  return enc.encode(JSON.stringify(input))
}

/** What an FSM reports for every entry it applies (or state it restores), for the invariant checker. */
export interface ApplyObserver {
  onApply: (index: number, term: number, digest: string) => void
  onRestore: (index: number, digest: string) => void
}

function mix (digest: string, data: string): string {
  // FNV-1a over the previous digest and the command: equal digests at an index mean equal applied sequences.
  let h = 0x811c9dc5
  for (const ch of digest + '|' + data) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0
  return h.toString(16).padStart(8, '0')
}

/**
 * The key-value state machine of the simulation: `put` and `cas` commands
 * (JSON `KvInput`), reads through `get` under `Raft.read`. It keeps a
 * running digest of every command it applied, carried in its snapshots, so
 * the checker can compare what different nodes (and incarnations) applied.
 */
export class SimKvFsm implements Fsm<KvOutput> {
  private map = new Map<string, string>()
  private digest = '0'
  private index = 0
  /** Snapshots restored (at start or from the leader). */
  restores = 0

  constructor (private readonly observer: ApplyObserver) {}

  get (key: string): string | null {
    return this.map.get(key) ?? null
  }

  apply (entry: Entry): KvOutput {
    const text = dec.decode(entry.data)
    const input = JSON.parse(text) as KvInput
    let out: KvOutput
    if (input.op === 'put') {
      this.map.set(input.key, input.value)
      out = true
    } else if (input.op === 'cas') {
      out = (this.map.get(input.key) ?? null) === input.expected
      if (out) this.map.set(input.key, input.value)
    } else {
      throw new Error(`a get was replicated: ${text}`)
    }
    this.digest = mix(this.digest, text)
    this.index = entry.index
    this.observer.onApply(entry.index, entry.term, this.digest)
    return out
  }

  snapshot (): AsyncIterable<Uint8Array> {
    const bytes = enc.encode(JSON.stringify({ index: this.index, digest: this.digest, map: [...this.map] }))
    return (async function * () { yield bytes })()
  }

  async restore (stream: AsyncIterable<Uint8Array>): Promise<void> {
    this.restores++
    const o = JSON.parse(dec.decode(await readAll(stream))) as { index: number, digest: string, map: Array<[string, string]> }
    this.map = new Map(o.map)
    this.digest = o.digest
    this.index = o.index
    this.observer.onRestore(o.index, o.digest)
  }
}
