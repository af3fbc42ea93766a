import { InvalidConfigError, NotStartedError, Service, noopMetrics, type Metrics } from '@clusterfunk/core'
import { DropCounter } from './drops.js'
import type { NodeAddress } from './events.js'
import type { LivenessEndpointStats } from './endpoint.js'
import { keyBytes, nodeIdBytes, type LivenessKey } from './options.js'
import { KIND_PROBE, KIND_REPLY, createPacketView, decodePacket, sealPacket, verifyPacket, writeKind } from './packet.js'
import { simNodeAddress, type DatagramNetwork, type DatagramSocket } from './sim-datagram.js'

/** What a `SimLivenessEndpoint` runs on. */
export interface SimLivenessEndpointComponents {
  network: DatagramNetwork
  metrics?: Metrics
}

/** Options of a `SimLivenessEndpoint`. */
export interface SimLivenessEndpointInit {
  /** The id this node answers for. */
  nodeId: string
  /** Where it listens, `"<node>:<port>"`. */
  address: string
  /** Shared secret, as for `LivenessEndpoint`. */
  key?: LivenessKey
}

/**
 * `LivenessEndpoint` on a simulated datagram network: the same packets
 * (`proto/liveness.proto`, HMAC when keyed) and the same rules — answer a
 * valid probe for this node id by echoing its nonce, drop and count the
 * rest — so a simulation probes nodes exactly as the real checker does.
 * `crash()` unbinds at once, as a killed process would.
 */
export class SimLivenessEndpoint extends Service {
  readonly nodeId: string
  private readonly idBytes: Buffer
  private readonly bindAddress: string
  private readonly key: Buffer | undefined
  private readonly network: DatagramNetwork
  private readonly drops: DropCounter
  private readonly view = createPacketView()
  private socket: DatagramSocket | undefined
  private replies = 0
  private muted = false
  private crashed = false

  /** @throws InvalidConfigError naming the option at fault */
  constructor (components: SimLivenessEndpointComponents, init: SimLivenessEndpointInit) {
    super()
    this.idBytes = nodeIdBytes(init.nodeId, m => new InvalidConfigError('nodeId', m))
    this.nodeId = init.nodeId
    try {
      simNodeAddress(init.address)
    } catch (err) {
      throw new InvalidConfigError('address', (err as Error).message)
    }
    this.bindAddress = init.address
    this.key = keyBytes('key', init.key)
    this.network = components.network
    this.drops = new DropCounter(components.metrics ?? noopMetrics, 'clusterfunk_liveness_endpoint_dropped_packets_total', 'Datagrams the liveness endpoint dropped, by reason')
  }

  /** Where it answers. @throws NotStartedError when not started */
  address (): NodeAddress {
    if (this.socket === undefined) throw new NotStartedError('the liveness endpoint is not started')
    return simNodeAddress(this.bindAddress)
  }

  /** Counts since construction. */
  stats (): LivenessEndpointStats {
    return { replies: this.replies, dropped: this.drops.snapshot() }
  }

  /**
   * While muted the endpoint ignores every probe, as a firewall rule or a
   * wedged socket would, while the rest of the node works on: the checker
   * then takes a live node for dead.
   */
  mute (muted: boolean): void {
    this.muted = muted
  }

  /** Unbinds now (a killed process) and for good: a later `start()` fails; `stop()` is harmless. */
  crash (): void {
    this.crashed = true
    this.socket?.close()
    this.socket = undefined
  }

  protected async onStart (): Promise<void> {
    if (this.crashed) throw new Error(`liveness endpoint ${this.bindAddress} crashed; build a new one`)
    const socket = this.network.bind(this.bindAddress)
    socket.onMessage((bytes, from) => { this.onMessage(bytes, from) })
    this.socket = socket
  }

  protected async onStop (): Promise<void> {
    this.socket?.close()
    this.socket = undefined
  }

  private onMessage (bytes: Uint8Array, from: string): void {
    const socket = this.socket
    if (socket === undefined || !socket.isOpen || this.muted) return
    const view = this.view
    const reason = decodePacket(bytes, view)
    if (reason !== undefined) { this.drops.drop(reason); return }
    if (view.kind !== KIND_PROBE) { this.drops.drop('kind'); return }
    if (this.key !== undefined && !verifyPacket(bytes, view, this.key)) { this.drops.drop('auth'); return }
    // The reply is written over a copy: the bytes handed in may be a view of the sender's buffer.
    const msg = Buffer.from(bytes)
    if (view.idEnd - view.idStart !== this.idBytes.length || this.idBytes.compare(msg, view.idStart, view.idEnd) !== 0) {
      this.drops.drop('wrong-node')
      return
    }
    writeKind(msg, KIND_REPLY)
    const length = sealPacket(msg, this.key)
    socket.send(from, msg.subarray(0, length))
    this.replies++
  }
}
