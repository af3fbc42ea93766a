import { INCARNATIONS, inRange } from '@clusterfunk/core'

/**
 * The messages of the SWIM protocol as the core sees them. Drivers turn them
 * into bytes with `codec.ts` (proto/swim.proto); the core never sees bytes.
 *
 * Member ids are the names nodes choose for themselves; addresses are opaque
 * strings the driver understands (`'10.0.0.7:7946'`).
 */

/** Serf-style tags: small key/value strings every member publishes. */
export type Tags = ReadonlyMap<string, string>

/** Asks `target` to answer with an ack carrying `seq`. */
export interface PingMessage {
  type: 'ping'
  seq: number
  /** The member the sender means to reach; a node ignores pings meant for someone else. */
  target: string
  /** The sender's id and address, so the ack goes back to where it expects it. */
  source: string
  sourceAddress: string
}

/** Asks the receiver to ping `target` on the sender's behalf and relay the ack. */
export interface IndirectPingMessage {
  type: 'indirect-ping'
  seq: number
  target: string
  targetAddress: string
  /** When set, the relay answers with a nack if the target stays silent. */
  wantNack: boolean
  source: string
  sourceAddress: string
}

/** The answer to a ping (or a relayed answer to an indirect ping). */
export interface AckMessage {
  type: 'ack'
  seq: number
  /** The member that sent this ack. */
  source: string
}

/** A relay's report that the target of an indirect ping did not answer in time. */
export interface NackMessage {
  type: 'nack'
  seq: number
  source: string
}

/** `from` suspects `node` at `incarnation` of failure. */
export interface SuspectMessage {
  type: 'suspect'
  node: string
  incarnation: number
  from: string
}

/** `node` is alive at `incarnation`, reachable at `address`, with `tags`. */
export interface AliveMessage {
  type: 'alive'
  node: string
  incarnation: number
  address: string
  tags: Tags
}

/**
 * `node` is dead at `incarnation`, as decided by `from`. When `from` is the
 * node itself this is a graceful leave.
 */
export interface DeadMessage {
  type: 'dead'
  node: string
  incarnation: number
  from: string
}

/** A user event (Serf's), fired by `origin` at its event Lamport time `ltime`. */
export interface UserEventMessage {
  type: 'user-event'
  ltime: number
  origin: string
  name: string
  payload: Uint8Array
  /** A newer event of the same name may replace this one. */
  coalesce: boolean
}

/** A query: gossiped like an event; matching members answer `originAddress` directly. */
export interface QueryMessage {
  type: 'query'
  ltime: number
  /** Chosen by the origin; with `origin` it names the query. */
  id: number
  origin: string
  /** The SWIM address responses go to. */
  originAddress: string
  name: string
  payload: Uint8Array
  /** Only these members answer (all when empty). */
  filterNodes: readonly string[]
  /** Only members whose tags hold every pair exactly answer. */
  filterTags: Tags
  /** How long the origin waits for answers (ms). */
  timeoutMs: number
  /** Matching members send an ack at once, before their handler's response. */
  wantAck: boolean
}

/** An answer to query `id` sent straight to its origin; `ack` is a receipt with no payload. */
export interface QueryResponseMessage {
  type: 'query-response'
  id: number
  ltime: number
  from: string
  ack: boolean
  payload: Uint8Array
}

/** The messages user code sends through SWIM: events, queries and their answers. */
export type UserMessage = UserEventMessage | QueryMessage | QueryResponseMessage

/** Several messages in one datagram. Compounds do not nest. */
export interface CompoundMessage {
  type: 'compound'
  messages: SimpleMessage[]
}

/** Any message other than a compound. */
export type SimpleMessage = PingMessage | IndirectPingMessage | AckMessage | NackMessage | SuspectMessage | AliveMessage | DeadMessage | UserMessage

/** Everything the core receives from the UDP path (or a TCP-carried message). */
export type SwimMessage = SimpleMessage | CompoundMessage

/** The gossip a member holds about members: alive, suspect and dead/left. */
export type MembershipMessage = SuspectMessage | AliveMessage | DeadMessage

/** What the broadcast queue carries: membership news and user events and queries. */
export type BroadcastMessage = MembershipMessage | UserEventMessage | QueryMessage

/** A graceful leave: a dead message sent by the node about itself. */
export function isLeave (message: DeadMessage): boolean {
  return message.from === message.node
}

/** Status of a member in the view of one node. */
export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left'

/** One member's entry in a push/pull state exchange. */
export interface PushPullMember {
  node: string
  address: string
  incarnation: number
  status: MemberStatus
  tags: Tags
}

/** The full membership state exchanged over TCP on join and periodically. */
export interface PushPullState {
  /** True for the exchange a joining node starts. */
  join: boolean
  members: PushPullMember[]
  /** The user events the sender remembers (absent: none). */
  events?: UserEventMessage[]
  /** The sender's event and query Lamport times (absent: 0). */
  eventLtime?: number
  queryLtime?: number
}

/** Total size of `tags`: the UTF-8 bytes of every key and value. */
export function tagsSize (tags: Tags): number {
  let size = 0
  for (const [k, v] of tags) size += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(v, 'utf8')
  return size
}

/** True when both hold the same keys with the same values. */
export function tagsEqual (a: Tags, b: Tags): boolean {
  if (a.size !== b.size) return false
  for (const [k, v] of a) if (b.get(k) !== v) return false
  return true
}

function u32 (n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0 && n <= MAX_SEQ
}

/** Largest sequence number (probe seqs are uint32 on the wire and wrap there). */
export const MAX_SEQ = 0xffff_ffff

/**
 * True when every number of `m` lies in its wire range: a seq in
 * 0..`MAX_SEQ`, an incarnation in `INCARNATIONS`. The codec never yields
 * anything else; the core checks again because callers (simulations,
 * tests, other drivers) hand it messages without the codec.
 */
export function numbersInRange (m: SimpleMessage): boolean {
  switch (m.type) {
    case 'ping':
    case 'indirect-ping':
    case 'ack':
    case 'nack':
      return Number.isSafeInteger(m.seq) && m.seq >= 0 && m.seq <= MAX_SEQ
    case 'alive':
    case 'suspect':
    case 'dead':
      return inRange(INCARNATIONS, m.incarnation)
    case 'user-event':
      return u32(m.ltime)
    case 'query':
      return u32(m.ltime) && u32(m.id) && u32(m.timeoutMs)
    case 'query-response':
      return u32(m.ltime) && u32(m.id)
  }
}
