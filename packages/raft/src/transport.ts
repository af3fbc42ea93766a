import type { Startable } from '@clusterfunk/core'
import type { NodeId } from './configuration.js'
import type { InstallSnapshotRequest, Message } from './messages.js'

/** What a transport hands to its node. */
export interface TransportHandler {
  /**
   * A message for this node, with the address the sender says it listens
   * at when the transport knows it. Called in arrival order per sender;
   * must not throw.
   */
  onMessage: (message: Message, fromAddress?: string) => void
  /**
   * A snapshot stream from a leader: store `data`, then step `header`.
   * Resolves true when the snapshot was stored; false (or a rejection) tells
   * the sender it failed. `data` throws if the stream breaks or fails its
   * checksum.
   */
  onSnapshot: (header: InstallSnapshotRequest, data: AsyncIterable<Uint8Array>) => Promise<boolean>
}

/**
 * How Raft messages travel between nodes. Message delivery is best effort
 * (Raft retries), per destination in order; snapshots travel as reliable
 * streams whose outcome is reported. A transport never throws from `send`
 * and never lets bad input from the network reach the handler: it drops
 * and counts it.
 */
export interface RaftTransport extends Startable {
  /** Where peers reach this node (host:port for gRPC). Known after `start()`. */
  readonly address: string
  /** Who receives what arrives; set before `start()`. */
  setHandler: (handler: TransportHandler) => void
  /** Sends `messages` (all for `to`, at `address`), in order, best effort. Returns false when the peer is known unreachable now. */
  send: (to: NodeId, address: string, messages: readonly Message[]) => boolean
  /** Streams a snapshot to `to`; resolves true once the receiver stored it. Never rejects. */
  sendSnapshot: (to: NodeId, address: string, header: InstallSnapshotRequest, data: AsyncIterable<Uint8Array>, signal?: AbortSignal) => Promise<boolean>
  /**
   * Optional: opens the connection to `address` ahead of the first message
   * (best effort, never throws), so that a member about to join does not pay
   * for connection setup on its first exchange.
   */
  connect?: (address: string) => void
  /**
   * Optional: the peer at `address` is back (another failure detector heard
   * it again after it was unreachable): forget the reconnect back-off and
   * connect at once, so a restarted member is not left waiting out a
   * back-off that grew while it was down. Never throws; no-op while a
   * stream to it is open.
   */
  peerBack?: (address: string) => void
}
