import { Metadata, status as Code, type ServiceError, type StatusObject } from '@grpc/grpc-js'
import { AbortError, EventOverflowError, InvalidArgumentError, NotLeaderError, NotStartedError, TimeoutError } from '@clusterfunk/core'
import { ManagementError, MembershipConflictError, UnauthenticatedError, UnavailableError, UnknownNodeError } from './errors.js'
import { messagingError } from './messaging-errors.js'

/**
 * The one place where errors become gRPC statuses and back. The status code
 * says what kind of failure it is; the `clusterfunk-error` trailer says
 * exactly which, so a client never parses messages.
 */

/** Trailer keys. */
export const ERROR_KEY = 'clusterfunk-error'
export const LEADER_ID_KEY = 'clusterfunk-leader-id'
export const LEADER_ADDRESS_KEY = 'clusterfunk-leader-address'
export const NODE_ID_KEY = 'clusterfunk-node-id'

/** The reasons a server sends in `clusterfunk-error`. */
export type ErrorReason =
  | 'NOT_LEADER' | 'NO_LEADER' | 'INVALID' | 'UNKNOWN_ID' | 'UNAUTHENTICATED'
  | 'UNSUPPORTED_FORMAT' | 'TIMEOUT' | 'NOT_STARTED' | 'OVERFLOW' | 'CANCELLED' | 'CONFLICT' | 'GENERIC'
  | 'NO_HANDLER' | 'HANDLER_FAILED' | 'TOO_LARGE' | 'BUSY'

/** The request claimed a format version this server does not speak. */
export class UnsupportedFormatError extends ManagementError {
  constructor (format: number) {
    super(`unsupported management format version ${format}`, Code.FAILED_PRECONDITION, 'UNSUPPORTED_FORMAT')
    this.name = 'UnsupportedFormatError'
  }
}

/** Longest value a trailer carries, in code points before encoding: real ids and addresses are far shorter. */
const MAX_VALUE_CHARS = 256
/** Longest status message sent, in characters. */
const MAX_DETAILS_CHARS = 1_024

/**
 * `value` as a legal gRPC metadata value: every byte of its UTF-8 outside
 * printable ASCII (and `%` itself) becomes `%XX`, so valid node ids and
 * `host:port` addresses travel unchanged (older clients read them as before)
 * while anything else still round-trips through `decodeMetadataValue`.
 * grpc-js throws on an illegal value, so nothing may reach it unencoded.
 */
export function encodeMetadataValue (value: string): string {
  const cut = [...value].slice(0, MAX_VALUE_CHARS).join('')
  if (/^[!-$&-~]*$/.test(cut)) return cut
  let out = ''
  for (const byte of Buffer.from(cut, 'utf8')) {
    out += byte > 0x20 && byte < 0x7f && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** The value `encodeMetadataValue` encoded; a malformed one is returned as it came. */
export function decodeMetadataValue (value: string): string {
  if (!value.includes('%')) return value
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** A status message grpc-js can send: well-formed UTF-16 (its encodeURI throws on a lone surrogate), of bounded length. */
function safeDetails (details: string): string {
  const cut = details.length > MAX_DETAILS_CHARS ? `${details.slice(0, MAX_DETAILS_CHARS)}…` : details
  return cut.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
}

function status (code: Code, reason: ErrorReason, details: string, extra: Record<string, string | undefined> = {}): Partial<StatusObject> {
  const metadata = new Metadata()
  metadata.set(ERROR_KEY, encodeMetadataValue(reason))
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined && value !== '') metadata.set(key, encodeMetadataValue(value))
  }
  return { code, details: safeDetails(details), metadata }
}

/** The last-resort status when even describing an error failed: it names nothing from the error. */
export const INTERNAL_STATUS: Readonly<Partial<StatusObject>> = Object.freeze({ code: Code.INTERNAL, details: 'internal error' })

/** The gRPC status a server sends for `err`. Unknown errors become INTERNAL / GENERIC. */
export function errorToStatus (err: unknown): Partial<StatusObject> {
  const message = describe(err)
  if (err instanceof NotLeaderError) {
    return err.leaderId === undefined
      ? status(Code.UNAVAILABLE, 'NO_LEADER', message)
      : status(Code.FAILED_PRECONDITION, 'NOT_LEADER', message, { [LEADER_ID_KEY]: err.leaderId, [LEADER_ADDRESS_KEY]: err.leaderAddress })
  }
  if (err instanceof ManagementError) return status(err.grpcCode, err.reason as ErrorReason, message)
  if (err instanceof UnknownNodeError) return status(Code.NOT_FOUND, 'UNKNOWN_ID', message, { [NODE_ID_KEY]: err.nodeId })
  if (err instanceof InvalidArgumentError) return status(Code.INVALID_ARGUMENT, 'INVALID', message)
  if (err instanceof UnauthenticatedError) return status(Code.UNAUTHENTICATED, 'UNAUTHENTICATED', message)
  if (err instanceof TimeoutError) return status(Code.DEADLINE_EXCEEDED, 'TIMEOUT', message)
  if (err instanceof AbortError) return status(Code.CANCELLED, 'CANCELLED', message)
  if (err instanceof NotStartedError) return status(Code.UNAVAILABLE, 'NOT_STARTED', message)
  if (err instanceof EventOverflowError) return status(Code.RESOURCE_EXHAUSTED, 'OVERFLOW', message)
  return status(Code.INTERNAL, 'GENERIC', message)
}

/** An error's message; an error that cannot be turned into text (a hostile object) is 'internal error'. */
function describe (err: unknown): string {
  try {
    const message: unknown = err instanceof Error ? err.message : String(err)
    return typeof message === 'string' ? message : 'internal error'
  } catch {
    return 'internal error'
  }
}

function first (metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0]
  return typeof value === 'string' && value !== '' ? decodeMetadataValue(value) : undefined
}

function isServiceError (err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number'
}

/** grpc-js's connection failure text, without its boilerplate: `connect ECONNREFUSED 127.0.0.1:1`. */
function connectionDetail (details: string): string {
  return details.replace(/^No connection established\. Last error: (Error: )?/, '').replace(/\.? Resolution note:.*$/s, '').trim()
}

/** The typed error a client raises for a failed call to `address`. Non-gRPC errors pass through. */
export function statusToError (err: unknown, address: string): Error {
  if (!isServiceError(err)) return err instanceof Error ? err : new Error(String(err))
  const reason = first(err.metadata, ERROR_KEY)
  const details = err.details !== '' ? err.details : err.message
  switch (reason) {
    case 'NOT_LEADER': return new NotLeaderError(first(err.metadata, LEADER_ID_KEY), first(err.metadata, LEADER_ADDRESS_KEY))
    case 'NO_LEADER': return new NotLeaderError(undefined, undefined, 'the cluster has no leader')
    case 'UNKNOWN_ID': return new UnknownNodeError(first(err.metadata, NODE_ID_KEY) ?? '', details)
    case 'INVALID': return new InvalidArgumentError(details)
    case 'UNAUTHENTICATED': return new UnauthenticatedError(details)
    case 'TIMEOUT': return new TimeoutError(details)
    case 'CANCELLED': return new AbortError(details)
    case 'CONFLICT': return new MembershipConflictError(details)
    case 'NO_HANDLER': case 'HANDLER_FAILED': case 'TOO_LARGE': case 'BUSY': return messagingError(reason, details)
    case undefined: break
    default: return new ManagementError(details, err.code, reason)
  }
  switch (err.code) {
    case Code.UNAUTHENTICATED: return new UnauthenticatedError(details)
    case Code.UNAVAILABLE: return new UnavailableError(address, connectionDetail(details))
    case Code.DEADLINE_EXCEEDED: return new TimeoutError(`no answer from ${address} in time`)
    case Code.CANCELLED: return new AbortError(details)
    case Code.INVALID_ARGUMENT: return new InvalidArgumentError(details)
    default: return new ManagementError(details, err.code, 'GENERIC')
  }
}
