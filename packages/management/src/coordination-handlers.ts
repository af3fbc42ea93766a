import { status as Code, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js'
import type { ManagementClient } from './client.js'
import { withFormat } from './codec.js'
import {
  decodeLockRequest, decodeWriteRequest, encodeLockReply, encodeLocks, encodeStateChange, encodeStateRecord, encodeWriteReply,
  type CoordinationSource
} from './coordination.js'
import { ManagementError } from './errors.js'
import type { ManagementMethod, Wire } from './proto.js'
import type { ManagementSource } from './source.js'

type Handler = (request: Wire, call: ServerUnaryCall<Wire, Wire>) => Promise<Wire>
type Unary = (call: ServerUnaryCall<Wire, Wire>, callback: sendUnaryData<Wire>) => void

/** How the server wraps a handler: admission, typed errors, forwarding. */
export interface HandlerKit {
  unary: (method: ManagementMethod, handle: Handler) => Unary
  leaderOnly: (method: ManagementMethod, local: Handler, forward: (client: ManagementClient, request: Wire) => Promise<Wire>) => Unary
  /** Admits the call, runs `serve`, ends the stream (or answers its error). */
  stream: (method: ManagementMethod, call: ServerWritableStream<Wire, Wire>, serve: (call: ServerWritableStream<Wire, Wire>) => Promise<void>) => void
}

function coordinationOf (s: ManagementSource): CoordinationSource {
  if (s.coordination === undefined) throw new ManagementError('this node has no shared state or locks', Code.UNIMPLEMENTED, 'GENERIC')
  return s.coordination
}

function prefixOf (request: Wire): string {
  return typeof request.prefix === 'string' ? request.prefix : ''
}

/**
 * The shared-state and lock RPCs. Reads answer from this node's replica
 * (after a ReadIndex round when `consistent`); writes and lock calls are
 * the leader's and forwarded there; a watch streams this node's replica
 * from the asked revision on, waiting for the client between writes.
 */
export function coordinationHandlers (s: ManagementSource, kit: HandlerKit): Record<string, Unary | ((call: ServerWritableStream<Wire, Wire>) => void)> {
  return {
    StateGet: kit.unary('StateGet', async req => {
      const key = typeof req.key === 'string' ? req.key : ''
      const { record, revision } = await coordinationOf(s).stateGet(key, { consistent: req.consistent === true })
      return withFormat({ found: record !== undefined, ...(record === undefined ? {} : { record: encodeStateRecord(record) }), revision })
    }),
    StateList: kit.unary('StateList', async req => {
      const { records, revision } = await coordinationOf(s).stateList(prefixOf(req), { consistent: req.consistent === true })
      return withFormat({ records: records.map(encodeStateRecord), revision })
    }),
    StateWrite: kit.leaderOnly('StateWrite',
      async req => encodeWriteReply(await coordinationOf(s).stateWrite(decodeWriteRequest(req))),
      async (c, req) => encodeWriteReply(await c.stateWrite(decodeWriteRequest(req)))),
    LockCall: kit.leaderOnly('LockCall',
      async req => encodeLockReply(await coordinationOf(s).lockCall(decodeLockRequest(req))),
      async (c, req) => encodeLockReply(await c.lockCall(decodeLockRequest(req)))),
    ListLocks: kit.unary('ListLocks', async () => encodeLocks(await coordinationOf(s).locks())),
    StateWatch: (call: ServerWritableStream<Wire, Wire>) => {
      kit.stream('StateWatch', call, async c => {
        const source = coordinationOf(s)
        const from = typeof c.request.fromRevision === 'number' ? c.request.fromRevision : 0
        const abort = new AbortController()
        const onCancel = (): void => { abort.abort() }
        c.on('cancelled', onCancel)
        c.on('close', onCancel)
        try {
          for await (const change of source.stateWatch(prefixOf(c.request), from, { signal: abort.signal })) {
            if (c.cancelled) return
            // Waits for the client to take what was written: the watch's own buffer bounds what waits meanwhile.
            if (!c.write(encodeStateChange(change))) await new Promise<void>(resolve => { c.once('drain', resolve); abort.signal.addEventListener('abort', () => { resolve() }, { once: true }) })
          }
        } finally {
          abort.abort()
          c.off('cancelled', onCancel)
          c.off('close', onCancel)
        }
      })
    }
  }
}
