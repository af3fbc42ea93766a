import { DecodeError, NotStartedError, Service, type Logger } from '@clusterfunk/core'
import type { SimConnection, StreamListener, StreamNetwork } from '@clusterfunk/sim'
import type { ManagementPart } from '../cluster/part-types.js'
import { decodeAck } from '../coordinator/codec.js'
import type { ManagementSource } from '@clusterfunk/management'

/** The one byte a `SimManagement` answers an ack it took with. */
export const ACK_TAKEN = 1

/**
 * The management endpoint of a simulated node, serving what nodes ask of
 * each other: shard-map acks. Each ack comes on a connection of its own
 * over the simulation's `StreamNetwork`, as a `ShardMapAck`
 * (`proto/cluster.proto`), and goes to the node's `ManagementSource`
 * exactly as the gRPC `AckShardMap` does; the answer is one byte when the
 * source took it, a reset when it refused (not the leader) or the bytes
 * did not decode. `crash()` closes the listener and resets every
 * connection at once.
 */
export class SimManagement extends Service implements ManagementPart {
  private readonly network: StreamNetwork
  private readonly source: ManagementSource
  private readonly logger: Logger
  private readonly addressText: string
  private listener: StreamListener | undefined
  private readonly connections = new Set<SimConnection>()
  private crashed = false
  /** Acks the source took. */
  taken = 0

  constructor (components: { network: StreamNetwork, source: ManagementSource, logger: Logger }, init: { address: string }) {
    super()
    this.network = components.network
    this.source = components.source
    this.logger = components.logger
    this.addressText = init.address
  }

  endpoint (): string {
    if (this.listener === undefined) throw new NotStartedError('the management endpoint is not started')
    return this.addressText
  }

  address (): { host: string, port: number } {
    const colon = this.endpoint().lastIndexOf(':')
    return { host: this.addressText.slice(0, colon), port: Number(this.addressText.slice(colon + 1)) }
  }

  /** Closes the listener and resets every connection now (a killed process), for good: a later `start()` fails. */
  crash (): void {
    this.crashed = true
    this.release()
  }

  private release (): void {
    this.listener?.close()
    this.listener = undefined
    for (const conn of [...this.connections]) conn.reset()
    this.connections.clear()
  }

  protected async onStart (): Promise<void> {
    if (this.crashed) throw new Error(`management endpoint ${this.addressText} crashed; build a new one`)
    this.listener = this.network.listen(this.addressText, conn => { this.serve(conn) })
  }

  protected async onStop (): Promise<void> {
    this.release()
  }

  private serve (conn: SimConnection): void {
    this.connections.add(conn)
    conn.onClose(() => { this.connections.delete(conn) })
    conn.onMessage(bytes => { void this.answer(conn, bytes) })
  }

  private async answer (conn: SimConnection, bytes: Uint8Array): Promise<void> {
    try {
      const ack = decodeAck(bytes)
      if (this.source.ackShardMap === undefined) throw new Error('this node takes no shard-map acks')
      await this.source.ackShardMap(ack.nodeId, ack.version)
      this.taken++
      if (conn.state === 'open') {
        conn.send(Uint8Array.of(ACK_TAKEN))
        conn.close()
      }
    } catch (err) {
      if (!(err instanceof DecodeError)) this.logger.debug('ack refused', { error: err instanceof Error ? err.message : String(err) })
      if (conn.state !== 'closed') conn.reset()
    }
  }
}
