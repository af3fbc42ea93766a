import type { Clock } from '@clusterfunk/core'
import type { SimConnection, StreamNetwork } from '@clusterfunk/sim'
import type { AckChannel } from '../cluster/acks.js'
import { encodeAck } from '../coordinator/codec.js'
import { ACK_TAKEN } from './sim-management.js'

/** What a `SimAckChannel` needs. */
export interface SimAckChannelInit {
  /** This node's address on the network (`"<node>:<port>"`): where its connections come from. */
  address: string
  network: StreamNetwork
  clock: Clock
}

/**
 * Acks over a simulated stream network, for `AckSender`: one connection an
 * attempt (the ack, then the byte that says the leader took it), bounded by
 * the attempt's deadline. `close()` resets the attempts in flight (a crash).
 */
export class SimAckChannel implements AckChannel {
  private readonly init: SimAckChannelInit
  private readonly inFlight = new Set<SimConnection>()

  constructor (init: SimAckChannelInit) {
    this.init = init
  }

  async send (to: string, nodeId: string, version: number, timeoutMs: number): Promise<boolean> {
    const conn = this.init.network.connect(this.init.address, to)
    this.inFlight.add(conn)
    const taken = await new Promise<boolean>(resolve => {
      const deadline = this.init.clock.setTimeout(() => { resolve(false); conn.reset() }, timeoutMs)
      conn.onMessage(bytes => { this.init.clock.clearTimeout(deadline); resolve(bytes[0] === ACK_TAKEN); conn.close() })
      conn.onClose(() => { this.init.clock.clearTimeout(deadline); resolve(false) })
      conn.send(encodeAck({ version, nodeId }))
    })
    this.inFlight.delete(conn)
    return taken
  }

  close (): void {
    for (const conn of [...this.inFlight]) conn.reset()
  }
}
