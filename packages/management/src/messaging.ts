import { status as Code } from '@grpc/grpc-js'
import { InvalidArgumentError, type AbortOptions } from '@clusterfunk/core'
import { ManagementError } from './errors.js'
import { withFormat } from './codec.js'
import type { Wire } from './proto.js'

/**
 * Messaging between nodes over the management channel: requests to a
 * node's topic handlers (Cluster.handle / Cluster.request), and the
 * operator's side of user events, queries and member info (funkctl event,
 * query, info). The types, errors and wire mapping of those RPCs.
 */

/** Largest request or response payload, in bytes: under the server's 64 KiB message limit with room for the envelope. */
export const MAX_REQUEST_PAYLOAD_BYTES = 60 * 1024
/** Longest topic name, in UTF-8 bytes. */
export const MAX_TOPIC_BYTES = 256

/** No handler is registered for the topic on the node asked. */
export class NoHandlerError extends ManagementError {
  readonly topic: string
  constructor (topic: string, nodeId = '') {
    super(`no handler for topic "${topic}"${nodeId === '' ? '' : ` on ${nodeId}`}`, Code.NOT_FOUND, 'NO_HANDLER')
    this.name = 'NoHandlerError'
    this.topic = topic
  }
}

/** The handler on the node asked threw; `message` carries what it threw. */
export class HandlerFailedError extends ManagementError {
  constructor (message: string) {
    super(message, Code.ABORTED, 'HANDLER_FAILED')
    this.name = 'HandlerFailedError'
  }
}

/** A payload over its limit. */
export class RequestTooLargeError extends ManagementError {
  readonly size: number
  readonly limit: number
  constructor (size: number, limit: number, what = 'payload') {
    super(`a ${what} of ${size} bytes is over the limit of ${limit} bytes`, Code.RESOURCE_EXHAUSTED, 'TOO_LARGE')
    this.name = 'RequestTooLargeError'
    this.size = size
    this.limit = limit
  }
}

/** The node runs as many handlers as it allows at once. */
export class HandlersBusyError extends ManagementError {
  constructor (limit: number) {
    super(`the node runs ${limit} request handlers already`, Code.RESOURCE_EXHAUSTED, 'BUSY')
    this.name = 'HandlersBusyError'
  }
}

/** @throws InvalidArgumentError for an empty or overlong topic */
export function checkTopic (topic: unknown): string {
  if (typeof topic !== 'string' || topic === '') throw new InvalidArgumentError('a topic is a non-empty string')
  if (Buffer.byteLength(topic, 'utf8') > MAX_TOPIC_BYTES) throw new InvalidArgumentError(`a topic is at most ${MAX_TOPIC_BYTES} bytes`)
  return topic
}

/** @throws InvalidArgumentError for what is not bytes, RequestTooLargeError over `limit` */
export function checkPayload (payload: unknown, limit = MAX_REQUEST_PAYLOAD_BYTES): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new InvalidArgumentError('a payload is bytes (a Uint8Array)')
  if (payload.length > limit) throw new RequestTooLargeError(payload.length, limit)
  return payload
}

/** What the node asks of a request's handler. */
export interface IncomingRequest {
  topic: string
  payload: Uint8Array
  /** The calling node's id; empty for an operator. */
  from: string
  /** How long the caller waits (ms). */
  timeoutMs: number
}

/** One ack or response to a query, as funkctl sees it. */
export interface QueryReplyItem {
  from: string
  ack: boolean
  payload: Uint8Array
}

/** What funkctl asks of a query. */
export interface QueryRequestInit {
  name: string
  payload: Uint8Array
  filterNodes?: string[]
  filterTags?: Record<string, string>
  timeoutMs?: number
}

/** One node's member info. */
export interface MemberInfoEntry {
  nodeId: string
  info: Record<string, string>
}

/**
 * What a node serves of messaging; each optional (a node without it
 * answers UNIMPLEMENTED).
 */
export interface MessagingCommands {
  /** Runs this node's handler for the request's topic. @throws NoHandlerError, HandlerFailedError, RequestTooLargeError */
  handleRequest?: (request: IncomingRequest, options: AbortOptions) => Promise<Uint8Array>
  /** Fires a user event from this node; resolves with its Lamport time. */
  fireEvent?: (name: string, payload: Uint8Array, coalesce: boolean) => Promise<number>
  /** Runs a query from this node: its acks and responses until it is over. */
  runQuery?: (init: QueryRequestInit, options: AbortOptions) => AsyncIterable<QueryReplyItem>
  /** The member info of `nodeId`, or of every live node when undefined. @throws UnknownNodeError */
  memberInfo?: (nodeId: string | undefined) => Promise<MemberInfoEntry[]>
}

function bytes (v: unknown): Uint8Array {
  return v instanceof Uint8Array ? new Uint8Array(v.buffer, v.byteOffset, v.length) : new Uint8Array(0)
}

function str (v: unknown): string {
  return typeof v === 'string' ? v : ''
}

function u32 (v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 0xffff_ffff ? v : 0
}

function stringMap (v: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (typeof v !== 'object' || v === null) return out
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x
  return out
}

export function decodeNodeRequest (w: Wire): IncomingRequest {
  return { topic: checkTopic(w.topic), payload: checkPayload(bytes(w.payload)), from: str(w.from), timeoutMs: u32(w.timeoutMs) }
}

export function encodeNodeRequest (r: IncomingRequest): Wire {
  return { topic: r.topic, payload: r.payload, from: r.from, timeoutMs: r.timeoutMs }
}

export function decodeQueryRequest (w: Wire): QueryRequestInit {
  const nodes = Array.isArray(w.filterNodes) ? w.filterNodes.filter((n): n is string => typeof n === 'string') : []
  const timeoutMs = u32(w.timeoutMs)
  return { name: str(w.name), payload: bytes(w.payload), filterNodes: nodes, filterTags: stringMap(w.filterTags), ...(timeoutMs === 0 ? {} : { timeoutMs }) }
}

export function encodeQueryRequest (q: QueryRequestInit): Wire {
  return { name: q.name, payload: q.payload, filterNodes: q.filterNodes ?? [], filterTags: q.filterTags ?? {}, timeoutMs: q.timeoutMs ?? 0 }
}

export function encodeQueryReply (r: QueryReplyItem): Wire {
  return withFormat({ from: r.from, ack: r.ack, payload: r.payload })
}

export function decodeQueryReply (w: Wire): QueryReplyItem {
  return { from: str(w.from), ack: w.ack === true, payload: bytes(w.payload) }
}

export function encodeMemberInfo (members: readonly MemberInfoEntry[]): Wire {
  return withFormat({ members: members.map(m => ({ nodeId: m.nodeId, info: m.info })) })
}

export function decodeMemberInfo (w: Wire): MemberInfoEntry[] {
  const list = Array.isArray(w.members) ? w.members as Wire[] : []
  return list.map(m => ({ nodeId: str(m.nodeId), info: stringMap(m.info) }))
}

export { bytes as wireBytes, str as wireString, u32 as wireU32 }
