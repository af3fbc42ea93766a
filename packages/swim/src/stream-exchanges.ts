import { DecodeError } from '@clusterfunk/core'
import { decodePacket, decodePushPull, encodePacket, encodePushPull, MAX_PUSH_PULL_BYTES } from './codec.js'
import { STREAM_ACK, STREAM_MESSAGES, STREAM_PING, STREAM_PUSH_PULL } from './frames.js'
import type { MembershipMessage, PushPullState, SimpleMessage } from './messages.js'
import type { FallbackPingRequest } from './outputs.js'
import type { SwimCore } from './swim-core.js'
import type { StreamFrame, TcpTransport } from './tcp-transport.js'

/**
 * The three stream exchanges of the protocol, both sides: TCP fallback
 * ping, push/pull, and delivery of broadcasts too large for a datagram.
 * The caller owns the core; `now` reads its clock.
 */

function isMembership (m: SimpleMessage): m is MembershipMessage {
  return m.type === 'alive' || m.type === 'suspect' || m.type === 'dead'
}

/** Sends a fallback ping and resolves true when the matching ack came back in time. */
export async function streamPing (tcp: TcpTransport, r: FallbackPingRequest, timeoutMs: number): Promise<boolean> {
  const reply = await tcp.request(r.to, { kind: STREAM_PING, body: encodePacket([r.ping]) }, STREAM_ACK, timeoutMs)
  if (reply === undefined) return false
  const messages = decodePacket(reply)
  return messages.some(m => m.type === 'ack' && m.seq === r.ping.seq)
}

/** Runs one push/pull with `to` and resolves with the state it sent back. */
export async function streamPushPull (tcp: TcpTransport, to: string, mine: PushPullState): Promise<PushPullState> {
  const reply = await tcp.request(to, { kind: STREAM_PUSH_PULL, body: encodePushPull(mine) }, STREAM_PUSH_PULL)
  if (reply === undefined) throw new DecodeError('empty push/pull reply')
  return decodePushPull(reply)
}

/** Delivers broadcasts over a stream (no reply). */
export async function streamMessages (tcp: TcpTransport, to: string, messages: readonly SimpleMessage[]): Promise<void> {
  await tcp.request(to, { kind: STREAM_MESSAGES, body: encodePacket(messages) }, undefined)
}

/**
 * Serves one inbound request frame against `core` and returns the reply.
 * Throws `DecodeError` for a body that does not decode or a frame kind
 * that is not a request; the transport then drops the stream.
 */
export function serveStream (core: SwimCore, now: number, request: StreamFrame): StreamFrame | undefined {
  switch (request.kind) {
    case STREAM_PING: {
      const messages = decodePacket(request.body)
      const ping = messages[0]
      if (messages.length !== 1 || ping?.type !== 'ping') throw new DecodeError('a stream ping must hold exactly one ping')
      const ack = core.answerStreamPing(ping)
      return ack === undefined ? undefined : { kind: STREAM_ACK, body: encodePacket([ack]) }
    }
    case STREAM_PUSH_PULL: {
      const state = decodePushPull(request.body)
      core.mergeRemoteState(now, state)
      return { kind: STREAM_PUSH_PULL, body: encodePushPull(core.localState()) }
    }
    case STREAM_MESSAGES: {
      const messages = decodePacket(request.body, MAX_PUSH_PULL_BYTES)
      if (!messages.every(isMembership)) throw new DecodeError('streamed messages must be alive, suspect or dead broadcasts')
      core.receive(now, '', { type: 'compound', messages })
      return undefined
    }
    default:
      throw new DecodeError(`frame kind ${request.kind} is not a request`)
  }
}
