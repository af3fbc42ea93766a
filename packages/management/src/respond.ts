import type { ServerWritableStream, StatusObject, sendUnaryData } from '@grpc/grpc-js'
import type { Counter, Logger } from '@clusterfunk/core'
import type { Wire } from './proto.js'
import { INTERNAL_STATUS, errorToStatus } from './status.js'

/** What a `Responder` counts with and logs to. */
export interface ResponderDeps {
  /** Calls answered, by `method` and `code` (gRPC code, or `OK`). */
  requests: Counter
  /** Handlers that failed past every typed answer (labelled by `method`): a bug, answered INTERNAL. */
  faults: Counter
  logger: Logger
}

/** Text of `err` that cannot throw, for logs. */
function text (err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err)
  } catch {
    return 'an error that cannot be shown'
  }
}

/**
 * Answers gRPC calls so that no throw escapes a handler: grpc-js runs
 * handlers in its own callbacks, where an escaping throw (or a rejection
 * nobody handles) ends the process. Errors become typed statuses through
 * `errorToStatus`; when even that or grpc-js itself throws, the call gets a
 * last-resort INTERNAL status that names nothing from the error, and the
 * fault is counted and logged.
 */
export class Responder {
  private readonly deps: ResponderDeps

  constructor (deps: ResponderDeps) {
    this.deps = deps
  }

  /** Runs `work` and answers `callback` with its reply or its error, once. Never throws, never rejects. */
  unary (method: string, callback: sendUnaryData<Wire>, work: () => Promise<Wire>): void {
    let answered = false
    const settle = (err: Partial<StatusObject> | null, reply?: Wire): void => {
      callback(err, reply)
      answered = true
    }
    Promise.resolve().then(work).then(reply => {
      this.deps.requests.inc({ method, code: 'OK' })
      settle(null, reply)
    }, (err: unknown) => {
      const status = errorToStatus(err)
      this.deps.requests.inc({ method, code: String(status.code) })
      this.deps.logger.debug('management call failed', { method, error: text(err) })
      settle(status)
    }).catch((fault: unknown) => {
      this.fault(method, fault)
      if (answered) return
      try {
        callback({ ...INTERNAL_STATUS })
      } catch (again) {
        this.deps.logger.warn('management call left unanswered', { method, error: text(again) })
      }
    })
  }

  /**
   * Runs a streaming handler's `work`; if it fails past its own error
   * handling, the stream is ended with the last-resort INTERNAL status.
   * Never throws, never rejects.
   */
  stream (method: string, call: ServerWritableStream<Wire, Wire>, work: () => Promise<void>): void {
    Promise.resolve().then(work).catch((fault: unknown) => {
      this.fault(method, fault)
      try {
        if (!call.cancelled) call.emit('error', { ...INTERNAL_STATUS })
      } catch (again) {
        this.deps.logger.warn('management stream left open', { method, error: text(again) })
      }
    })
  }

  /** Counts a streaming call that ended well. */
  done (method: string): void {
    this.deps.requests.inc({ method, code: 'OK' })
  }

  /** Answers a failed streaming call with the typed status of `err` (counted). @throws what grpc-js throws; `stream()` catches it */
  fail (method: string, call: ServerWritableStream<Wire, Wire>, err: unknown): void {
    const status = errorToStatus(err)
    this.deps.requests.inc({ method, code: String(status.code) })
    if (!call.cancelled) call.emit('error', status)
  }

  private fault (method: string, fault: unknown): void {
    this.deps.faults.inc({ method })
    this.deps.logger.warn('management handler fault, answered INTERNAL', { method, error: text(fault) })
  }
}
