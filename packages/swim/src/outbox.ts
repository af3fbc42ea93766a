import type { BroadcastQueue } from './broadcast-queue.js'
import { messageSize, PACKET_HEADER_BYTES, packedMessageSize } from './codec.js'
import type { MemberEvent } from './member.js'
import type { BroadcastMessage, SimpleMessage } from './messages.js'
import type { Packet, StreamRequest } from './outputs.js'

/**
 * Collects what the core wants done until the driver drains it, and packs
 * datagrams: the direct messages first, then as many queued broadcasts as
 * still fit in the packet budget (piggybacking).
 */
export class Outbox {
  packets: Packet[] = []
  requests: StreamRequest[] = []
  events: MemberEvent[] = []

  /**
   * `packetBytes` is the datagram budget (packet size minus the driver's
   * overhead); `retransmitLimit` gives the current limit of the queue.
   */
  constructor (
    private readonly queue: BroadcastQueue<BroadcastMessage>,
    readonly packetBytes: number,
    private readonly retransmitLimit: () => number
  ) {}

  /**
   * Sends `messages` to `to` in as few datagrams as fit the budget, filling
   * the last one with broadcasts. With no messages, sends broadcasts only
   * (gossip) and returns false when there was nothing to send.
   */
  send (to: string, messages: readonly SimpleMessage[]): boolean {
    const room = this.packetBytes - PACKET_HEADER_BYTES
    let current: SimpleMessage[] = []
    let used = 0
    for (const m of messages) {
      const cost = packedMessageSize(messageSize(m))
      if (used + cost > room && current.length > 0) {
        this.packets.push({ to, messages: current })
        current = []
        used = 0
      }
      current.push(m)
      used += cost
    }
    const piggyback = room - used > 0 ? this.queue.take(this.retransmitLimit(), room - used, packedMessageSize) : []
    current.push(...piggyback)
    if (current.length === 0) return false
    this.packets.push({ to, messages: current })
    return true
  }

  /** Queues the broadcasts too large for any datagram as a stream request to `to`. */
  sendOversize (to: string): void {
    const room = this.packetBytes - PACKET_HEADER_BYTES
    const big = this.queue.takeOversize(this.retransmitLimit(), room, packedMessageSize)
    if (big.length > 0) this.requests.push({ kind: 'messages', to, messages: big })
  }

  request (r: StreamRequest): void {
    this.requests.push(r)
  }

  emit (event: MemberEvent): void {
    this.events.push(event)
  }

  /** Hands everything over and starts empty. */
  take (): { packets: Packet[], requests: StreamRequest[], events: MemberEvent[] } {
    const out = { packets: this.packets, requests: this.requests, events: this.events }
    this.packets = []
    this.requests = []
    this.events = []
    return out
  }
}
