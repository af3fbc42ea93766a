import type { MemberEvent } from './member.js'
import type { PingMessage, SimpleMessage, UserMessage } from './messages.js'

/** One UDP datagram to send: the driver encodes `messages` with `encodePacket`. */
export interface Packet {
  readonly to: string
  readonly messages: readonly SimpleMessage[]
}

/**
 * A TCP fallback ping: send `ping` over a stream to `to`, read the ack, and
 * report with `fallbackPingResult(now, ping.seq, acked, refused)` by
 * `deadline` (a missing report counts as no ack); `refused` when the
 * connection was refused, which suspects the member at once.
 */
export interface FallbackPingRequest {
  readonly kind: 'ping'
  readonly to: string
  readonly ping: PingMessage
  readonly deadline: number
}

/**
 * A push/pull exchange over TCP: send `localState(join)` to `to`, read its
 * state and hand it to `mergeRemoteState`. Failures need no report.
 */
export interface PushPullRequest {
  readonly kind: 'push-pull'
  readonly to: string
  readonly join: boolean
  /** Set on a reconnect attempt to a member declared failed (Serf's reconnect); run it like any push/pull. */
  readonly reconnect?: boolean
}

/**
 * Broadcasts too large for one datagram: deliver `messages` to `to` over a
 * stream; the receiver passes them to `receive` as if they came by UDP.
 */
export interface StreamMessagesRequest {
  readonly kind: 'messages'
  readonly to: string
  readonly messages: readonly SimpleMessage[]
}

/** Work for the driver's TCP side. */
export type StreamRequest = FallbackPingRequest | PushPullRequest | StreamMessagesRequest

/** Everything the core produced since the last `drain()`. */
export interface SwimOutput {
  readonly packets: Packet[]
  readonly requests: StreamRequest[]
  readonly events: MemberEvent[]
  /** User events, queries this node matches and answers to its queries, new since the last drain (duplicates dropped). */
  readonly user: UserMessage[]
  /** Call `tick` at (or soon after) this `now`. */
  readonly nextTickAt: number
}
