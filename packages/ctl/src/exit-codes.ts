import { AbortError, InvalidArgumentError, InvalidConfigError, NotLeaderError, TimeoutError } from '@clusterfunk/core'
import { ManagementError, MembershipConflictError, UnauthenticatedError, UnavailableError, UnknownNodeError } from '@clusterfunk/management'

/** What `funkctl` exits with. */
export const ExitCode = {
  /** Done. */
  OK: 0,
  /** A bug: an error funkctl did not expect. */
  INTERNAL: 1,
  /** Bad arguments: unknown command or option, missing argument, bad --endpoint or --timeout. */
  USAGE: 2,
  /** No cluster reached: connection refused or failed, timed out, or no endpoint found by zeroconf. */
  UNREACHABLE: 3,
  /** The cluster refused the token (missing or wrong). */
  UNAUTHENTICATED: 4,
  /** The cluster answered with an error: no leader, unknown node, invalid request, other failure. */
  CLUSTER_ERROR: 5,
  /** Interrupted (SIGINT) before a call finished. `watch` exits 0 on SIGINT. */
  INTERRUPTED: 130
} as const

/** A command line funkctl cannot accept; exits with `ExitCode.USAGE`. */
export class UsageError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Zeroconf found no management endpoint; exits with `ExitCode.UNREACHABLE`. */
export class NoEndpointError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'NoEndpointError'
  }
}

/** The cluster could not be reached, with a hint at what to fix; exits with `ExitCode.UNREACHABLE`. */
export class UnreachableError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'UnreachableError'
  }
}

export function oneLine (text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim()
}

/** The exit code and the one-line message for an error a command ended with. */
export function describeError (err: unknown): { code: number, message: string } {
  if (err instanceof UsageError || err instanceof InvalidConfigError) return { code: ExitCode.USAGE, message: err.message }
  if (err instanceof NoEndpointError || err instanceof UnreachableError) return { code: ExitCode.UNREACHABLE, message: err.message }
  if (err instanceof UnavailableError) return { code: ExitCode.UNREACHABLE, message: oneLine(err.message) }
  if (err instanceof TimeoutError) return { code: ExitCode.UNREACHABLE, message: oneLine(err.message) }
  if (err instanceof UnauthenticatedError) {
    return { code: ExitCode.UNAUTHENTICATED, message: `the cluster refused the token (${err.message}); pass --token or set FUNKCTL_TOKEN` }
  }
  if (err instanceof NotLeaderError) {
    const message = err.leaderId === undefined
      ? 'the cluster has no leader right now; try again once one is elected'
      : `not the leader; the leader is ${err.leaderId}${err.leaderAddress === undefined ? '' : ` at ${err.leaderAddress}`}`
    return { code: ExitCode.CLUSTER_ERROR, message }
  }
  if (err instanceof UnknownNodeError) return { code: ExitCode.CLUSTER_ERROR, message: `unknown node ${err.nodeId}` }
  if (err instanceof InvalidArgumentError) return { code: ExitCode.CLUSTER_ERROR, message: `the cluster refused the request: ${oneLine(err.message)}` }
  if (err instanceof MembershipConflictError) return { code: ExitCode.CLUSTER_ERROR, message: oneLine(err.message) }
  if (err instanceof ManagementError) return { code: ExitCode.CLUSTER_ERROR, message: `the cluster failed (${err.reason}): ${oneLine(err.message)}` }
  if (err instanceof AbortError) return { code: ExitCode.INTERRUPTED, message: 'interrupted' }
  const message = err instanceof Error ? err.message : String(err)
  return { code: ExitCode.INTERNAL, message: `unexpected error: ${oneLine(message)}` }
}
