import { status as Code } from '@grpc/grpc-js'
import { ClusterfunkError } from '@clusterfunk/core'

/** A call named a node the cluster does not know (the reference's UNKNOWN_ID). */
export class UnknownNodeError extends ClusterfunkError {
  static readonly code = 'ERR_UNKNOWN_NODE'
  /** The id that was not found. */
  readonly nodeId: string
  constructor (nodeId: string, message = `unknown node ${nodeId}`) {
    super(message, UnknownNodeError.code)
    this.name = 'UnknownNodeError'
    this.nodeId = nodeId
  }
}

/** The management server wants a token and the call carried none, or a wrong one. */
export class UnauthenticatedError extends ClusterfunkError {
  static readonly code = 'ERR_UNAUTHENTICATED'
  constructor (message = 'missing or wrong cluster token') {
    super(message, UnauthenticatedError.code)
    this.name = 'UnauthenticatedError'
  }
}

/** The management endpoint could not be reached (refused, closed, TLS failure, no route). */
export class UnavailableError extends ClusterfunkError {
  static readonly code = 'ERR_UNAVAILABLE'
  /** The address that was tried, `host:port`. */
  readonly address: string
  constructor (address: string, detail: string) {
    super(`cannot reach ${address}: ${detail}`, UnavailableError.code)
    this.name = 'UnavailableError'
    this.address = address
  }
}

/** Any other failure a management server reported (the reference's GENERIC), with its gRPC code and reason. */
export class ManagementError extends ClusterfunkError {
  static readonly code = 'ERR_MANAGEMENT'
  /** The gRPC status code. */
  readonly grpcCode: number
  /** The `clusterfunk-error` reason, `GENERIC` when the server sent none. */
  readonly reason: string
  constructor (message: string, grpcCode: number, reason: string) {
    super(message, ManagementError.code)
    this.name = 'ManagementError'
    this.grpcCode = grpcCode
    this.reason = reason
  }
}

/**
 * A membership change the leader refuses because it conflicts with the
 * cluster as it is: the id is already a member, the address is another
 * member's, the node is alive in gossip (the leader owns its membership),
 * or the Raft configuration changed while the change was being made.
 * The message says which, and what to do instead.
 */
export class MembershipConflictError extends ManagementError {
  constructor (message: string) {
    super(message, Code.FAILED_PRECONDITION, 'CONFLICT')
    this.name = 'MembershipConflictError'
  }
}
