import { status as Code, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js'
import { ManagementError } from './errors.js'
import { checkNodeId } from './node-ids.js'
import { withFormat } from './codec.js'
import {
  checkPayload, decodeNodeRequest, decodeQueryRequest, encodeMemberInfo, encodeQueryReply, wireBytes, wireString,
  type MessagingCommands
} from './messaging.js'
import type { ManagementMethod, Wire } from './proto.js'

type Unary = (method: ManagementMethod, handle: (request: Wire, call: ServerUnaryCall<Wire, Wire>) => Promise<Wire>) => (call: ServerUnaryCall<Wire, Wire>, callback: sendUnaryData<Wire>) => void
type Stream = (method: ManagementMethod, call: ServerWritableStream<Wire, Wire>, work: (signal: AbortSignal) => Promise<void>) => void

function missing (what: string): ManagementError {
  return new ManagementError(`this node serves no ${what}`, Code.UNIMPLEMENTED, 'GENERIC')
}

/**
 * The server's handlers of the messaging RPCs (Request, FireEvent, Query,
 * GetMemberInfo), answered from the source's `MessagingCommands`. None is
 * forwarded: each is about the node asked.
 */
export function messagingHandlers (source: MessagingCommands, unary: Unary, stream: Stream): Record<string, unknown> {
  return {
    Request: unary('Request', async (req, call) => {
      const handle = source.handleRequest
      if (handle === undefined) throw missing('requests')
      const request = decodeNodeRequest(req)
      const controller = new AbortController()
      const onCancel = (): void => { controller.abort() }
      call.on('cancelled', onCancel)
      try {
        const payload = checkPayload(await handle(request, { signal: controller.signal }))
        return withFormat({ payload })
      } finally {
        call.off('cancelled', onCancel)
      }
    }),
    FireEvent: unary('FireEvent', async req => {
      if (source.fireEvent === undefined) throw missing('user events')
      const ltime = await source.fireEvent(wireString(req.name), wireBytes(req.payload), req.coalesce === true)
      return withFormat({ ltime })
    }),
    Query: (call: ServerWritableStream<Wire, Wire>) => {
      stream('Query', call, async signal => {
        if (source.runQuery === undefined) throw missing('queries')
        for await (const reply of source.runQuery(decodeQueryRequest(call.request), { signal })) {
          if (call.cancelled) return
          call.write(encodeQueryReply(reply))
        }
      })
    },
    GetMemberInfo: unary('GetMemberInfo', async req => {
      if (source.memberInfo === undefined) throw missing('member info')
      const id = wireString(req.nodeId)
      return encodeMemberInfo(await source.memberInfo(id === '' ? undefined : checkNodeId(id)))
    })
  }
}
