import { silentLogger, type Logger } from '@clusterfunk/core'
import { decodeEntry, type MachineEntry } from './entry-codec.js'
import { readAll, type Entry, type Fsm } from './raft-deps.js'
import type { MachineDefinition } from './definition.js'
import { EntryRand, INITIAL_LAST_RANDOM, LastRand, type LastRandom } from './machine-rand.js'
import type { ReadMachine, WriteMachine } from './machine-types.js'
import type { RespFrame } from './resp-frame.js'
import { errorText, toFrame } from './reply.js'
import { UnknownCommandError } from './errors.js'
import { commandArgs } from './command-args.js'

/** Version of the snapshot header. */
const SNAPSHOT_VERSION = 1

/** What a snapshot keeps besides the application's data. */
interface SnapshotHeader {
  v: number
  ts: number
  last: LastRandom
  peers: Array<[string, string]>
  /** `json`: the body is the data as JSON; `custom`: the application's own bytes. */
  body: 'json' | 'custom'
}

/**
 * The replicated state machine under an application: it decodes each
 * committed entry, sets the entry's time and random seed, and runs the write
 * command (or tick) over the data. Replies are made into RESP3 frames at
 * once, so what a client gets is what the data was at that index. A command
 * that throws answers an error; the entry still counts as applied on every
 * replica alike (the same throw happens everywhere).
 */
export class MachineFsm<Data, Context> implements Fsm<RespFrame> {
  data: Data
  /** The time of the last applied entry (what reads see). */
  lastTs = 0
  last: LastRandom = { ...INITIAL_LAST_RANDOM }
  /** Client address of each member, as replicated. */
  readonly peers = new Map<string, string>()
  /** Entries that did not decode (a bug or corruption; skipped alike on every replica). */
  badEntries = 0
  private readonly log: Logger

  constructor (private readonly def: MachineDefinition<Data, Context>, private readonly nodeId: string, log: Logger = silentLogger()) {
    this.data = def.makeInitialData()
    this.log = log
  }

  apply (entry: Entry): RespFrame {
    let e: MachineEntry
    try {
      e = decodeEntry(entry.data)
    } catch (err) {
      this.badEntries++
      this.log.error('entry does not decode; skipped', { index: entry.index, error: String(err) })
      return { type: 'error', value: 'ERR entry does not decode' }
    }
    // Never back in time, whatever the stamping leader's clock said.
    this.lastTs = Math.max(this.lastTs, e.ts)
    switch (e.kind) {
      case 'peer': this.peers.set(e.nodeId, e.clientAddress); return { type: 'simple', value: 'OK' }
      case 'unpeer': this.peers.delete(e.nodeId); return { type: 'simple', value: 'OK' }
      case 'tick': {
        const m = this.writeMachine(e.seed)
        try { this.def.tick?.(m) } catch (err) { this.log.warn('tick threw', { error: String(err) }) }
        return { type: 'simple', value: 'OK' }
      }
      case 'command': {
        const args = e.args.map(a => a.toString())
        const name = (args[0] as string).toLowerCase()
        const fn = this.def.write.get(name)
        if (fn === undefined) return { type: 'error', value: errorText(new UnknownCommandError(name)) }
        try {
          const result = fn(this.writeMachine(e.seed), args, e.args)
          if (isThenable(result)) return { type: 'error', value: 'ERR a write command must return at once (not a promise)' }
          return toFrame(result, 3)
        } catch (err) {
          return { type: 'error', value: errorText(err) }
        }
      }
    }
  }

  /** Runs a read command over the applied state (the caller has made the read linearizable, or chose not to). */
  read (argv: ReadonlyArray<string | Buffer>): RespFrame {
    const { strings: args, bytes } = commandArgs(argv)
    const name = (args[0] ?? '').toLowerCase()
    const fn = this.def.read.get(name)
    if (fn === undefined) return { type: 'error', value: errorText(new UnknownCommandError(name)) }
    const lastTs = this.lastTs
    const m: ReadMachine<Data> = { data: this.data, now: () => lastTs, rand: new LastRand(this.last), log: this.log, nodeId: this.nodeId }
    try {
      const result = fn(m, args, bytes)
      if (isThenable(result)) return { type: 'error', value: 'ERR a read command must return at once (not a promise)' }
      return toFrame(result, 3)
    } catch (err) {
      return { type: 'error', value: errorText(err) }
    }
  }

  private writeMachine (seed: number): WriteMachine<Data> {
    const ts = this.lastTs
    return { data: this.data, now: () => ts, rand: new EntryRand(seed, this.last), log: this.log, nodeId: this.nodeId }
  }

  snapshot (): AsyncIterable<Uint8Array> {
    const header: SnapshotHeader = { v: SNAPSHOT_VERSION, ts: this.lastTs, last: { ...this.last }, peers: [...this.peers], body: this.def.snapshot === undefined ? 'json' : 'custom' }
    const head = Buffer.from(JSON.stringify(header))
    const len = Buffer.alloc(4)
    len.writeUInt32BE(head.length)
    // Captured now, between two applies; the stream is read later.
    const body = this.def.snapshot === undefined ? Buffer.from(JSON.stringify(this.data) ?? 'null') : this.def.snapshot(this.data)
    return (async function * () {
      yield len
      yield head
      if (body instanceof Uint8Array) yield body
      else yield * body
    })()
  }

  async restore (stream: AsyncIterable<Uint8Array>): Promise<void> {
    await this.restoreBytes(await readAll(stream))
  }

  /** Replaces the whole state with a snapshot's bytes (also used by `--restore`). */
  async restoreBytes (bytes: Uint8Array): Promise<void> {
    const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (b.length < 4) throw new Error('snapshot too short')
    const headLen = b.readUInt32BE(0)
    if (4 + headLen > b.length) throw new Error('snapshot header truncated')
    const header = JSON.parse(b.toString('utf8', 4, 4 + headLen)) as SnapshotHeader
    if (header.v !== SNAPSHOT_VERSION) throw new Error(`snapshot version ${header.v} unknown`)
    const body = b.subarray(4 + headLen)
    const data = header.body === 'json'
      ? JSON.parse(body.toString('utf8')) as Data
      : await (this.def.restore ?? (() => { throw new Error('a custom snapshot needs the definition\'s restore') }))(body)
    this.data = data
    this.lastTs = header.ts
    this.last = { ...INITIAL_LAST_RANDOM, ...header.last }
    this.peers.clear()
    for (const [id, addr] of header.peers) this.peers.set(id, addr)
  }
}

function isThenable (v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function'
}
