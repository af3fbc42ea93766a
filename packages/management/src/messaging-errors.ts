import { HandlerFailedError, HandlersBusyError, NoHandlerError, RequestTooLargeError } from './messaging.js'

/** The typed error a client raises for a messaging reason (status.ts's `statusToError` asks here). */
export function messagingError (reason: 'NO_HANDLER' | 'HANDLER_FAILED' | 'TOO_LARGE' | 'BUSY', details: string): Error {
  switch (reason) {
    case 'NO_HANDLER': {
      const err = new NoHandlerError(/topic "(.*)"/.exec(details)?.[1] ?? '')
      err.message = details
      return err
    }
    case 'HANDLER_FAILED': return new HandlerFailedError(details)
    case 'TOO_LARGE': {
      const m = /of (\d+) bytes is over the limit of (\d+)/.exec(details)
      const err = new RequestTooLargeError(Number(m?.[1] ?? 0), Number(m?.[2] ?? 0))
      err.message = details
      return err
    }
    case 'BUSY': {
      const err = new HandlersBusyError(0)
      err.message = details
      return err
    }
  }
}
