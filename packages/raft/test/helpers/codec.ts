import { loadType } from '@clusterfunk/proto'
import type { Configuration, Entry, EntryType, Message } from '../../src/index.js'

const RaftMessage = loadType('raft.proto', 'clusterfunk.raft.RaftMessage')
const ENTRY_TYPES: EntryType[] = ['normal', 'config', 'noop']

interface WireEntry { index: number, term: number, type: number, data: Uint8Array, configuration?: Configuration | null }

function toWireEntry (e: Entry): WireEntry {
  return { index: e.index, term: e.term, type: ENTRY_TYPES.indexOf(e.type), data: e.data, ...(e.configuration === undefined ? {} : { configuration: e.configuration }) }
}

function fromWireEntry (e: WireEntry): Entry {
  const configuration = e.configuration ?? undefined
  return {
    index: e.index,
    term: e.term,
    type: ENTRY_TYPES[e.type] ?? 'normal',
    data: new Uint8Array(e.data),
    ...(configuration === undefined ? {} : { configuration: { voters: configuration.voters ?? [], nonVoters: configuration.nonVoters ?? [] } })
  }
}

/**
 * A test-only codec between the core's messages and proto/raft.proto, to
 * show the two line up (the real one belongs to the transport driver).
 */
export function encodeMessage (m: Message): Uint8Array {
  const { from, to, term, type, ...rest } = m
  const body: Record<string, unknown> = { ...rest }
  if (m.type === 'appendEntries') body.entries = m.entries.map(toWireEntry)
  return RaftMessage.encode(RaftMessage.fromObject({ version: 1, from, to, term, [type]: body })).finish()
}

export function decodeMessage (bytes: Uint8Array): Message {
  const o = RaftMessage.toObject(RaftMessage.decode(bytes), { longs: Number, enums: Number, oneofs: true, defaults: true, arrays: true }) as Record<string, unknown>
  if (o.version !== 1) throw new Error(`unsupported version ${String(o.version)}`)
  const type = o.body as Message['type']
  const body = { ...(o[type] as Record<string, unknown>) }
  if (type === 'appendEntries') body.entries = (body.entries as WireEntry[]).map(fromWireEntry)
  if (type === 'installSnapshot') {
    const s = body.snapshot as { index: number, term: number, configuration: Configuration }
    body.snapshot = { index: s.index, term: s.term, configuration: { voters: s.configuration.voters, nonVoters: s.configuration.nonVoters } }
  }
  return { ...body, type, from: o.from, to: o.to, term: o.term } as Message
}
