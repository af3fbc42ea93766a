import type { Configuration, NodeId } from './configuration.js'

/**
 * What an entry carries: `normal` is an application command, `config` a new
 * membership (its `configuration` field), `noop` the empty entry a new leader
 * appends to commit the entries of earlier terms (Raft §5.4.2, §8).
 */
export type EntryType = 'normal' | 'config' | 'noop'

/** One log entry. Indexes start at 1; terms start at 1. */
export interface Entry {
  readonly index: number
  readonly term: number
  readonly type: EntryType
  /** The application's bytes (empty for `noop` and `config` entries). */
  readonly data: Uint8Array
  /** For `config` entries: the whole membership that takes effect at this index. */
  readonly configuration?: Configuration
}

/**
 * The state Raft needs durable before it sends any message that depends on
 * it (Raft Figure 2, "persistent state on all servers", plus the commit index).
 */
export interface HardState {
  readonly term: number
  /** The candidate this node voted for in `term`, if any. */
  readonly vote: NodeId | undefined
  readonly commit: number
}

/** The roles of a node. Non-voters are followers that cannot campaign. */
export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader'

/** Volatile state, reported for observation; never persisted. */
export interface SoftState {
  readonly role: Role
  /** The leader this node follows (itself when leader), when known. */
  readonly leaderId: NodeId | undefined
}

/** What a snapshot covers: everything up to `index` (whose term is `term`), and the membership then. */
export interface SnapshotMetadata {
  readonly index: number
  readonly term: number
  readonly configuration: Configuration
}

/** A confirmed linearizable read: serve it once the state machine has applied `index`. */
export interface ReadState {
  readonly requestId: string
  readonly index: number
}

/** An estimate of an entry's size on the wire, for `maxBytesPerMsg`. */
export function entrySize (entry: Entry): number {
  let size = 16 + entry.data.byteLength
  if (entry.configuration !== undefined) {
    for (const m of [...entry.configuration.voters, ...entry.configuration.nonVoters]) size += 8 + m.id.length + m.address.length
  }
  return size
}

/** Entries from the start of `entries` whose total size stays within `maxBytes`; at least one. */
export function limitSize (entries: Entry[], maxBytes: number): Entry[] {
  if (entries.length === 0) return entries
  let size = entrySize(entries[0] as Entry)
  let n = 1
  for (; n < entries.length; n++) {
    size += entrySize(entries[n] as Entry)
    if (size > maxBytes) break
  }
  return n === entries.length ? entries : entries.slice(0, n)
}
