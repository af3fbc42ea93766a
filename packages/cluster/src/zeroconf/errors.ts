import { ClusterfunkError } from '@clusterfunk/core'

/** Probing found one of this node's instance names already published by another host: a second node with the same id. */
export class ZeroconfConflictError extends ClusterfunkError {
  static readonly code = 'ERR_ZEROCONF_CONFLICT'
  constructor (message: string, options?: ErrorOptions) {
    super(message, ZeroconfConflictError.code, options)
    this.name = 'ZeroconfConflictError'
  }
}
