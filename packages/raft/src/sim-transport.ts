import { Service, silentLogger, type Logger } from '@clusterfunk/core'
import type { PacketNetwork, PacketSocket, SimConnection, StreamListener, StreamNetwork } from '@clusterfunk/sim'
import { crc32 } from './checksum.js'
import { decodeMessage, decodeSnapshotChunk, encodeMessage, encodeSnapshotChunk, type SnapshotChunk } from './codec.js'
import type { NodeId } from './configuration.js'
import type { InstallSnapshotRequest, Message } from './messages.js'
import { verifiedSnapshotData } from './snapshot-stream.js'
import type { RaftTransport, TransportHandler } from './transport.js'

/** Components of a `SimTransport`: the simulation's two networks (share one `Partitions` between them). */
export interface SimTransportComponents {
  /** Carries messages, one datagram each: lost, duplicated, delayed and reordered as the network says. */
  packets: PacketNetwork
  /** Carries snapshot streams, one connection each. */
  streams: StreamNetwork
  logger?: Logger
}

/** Options of a `SimTransport`. */
export interface SimTransportInit {
  /** The address this node binds on both networks, `<node>:<port>`. */
  address: string
  /** Snapshot chunk size. Default 64 KiB. */
  snapshotChunkBytes?: number
}

/** What a `SimTransport` counted. */
export interface SimTransportStats {
  sent: number
  received: number
  /** Datagrams and snapshot streams that did not decode or check out; dropped. */
  rejected: number
}

/** A snapshot stream being received: chunks pushed by the connection, pulled by the handler. */
class ChunkQueue {
  private readonly items: SnapshotChunk[] = []
  private wake: (() => void) | undefined
  private error: Error | undefined

  push (c: SnapshotChunk): void { this.items.push(c); this.notify() }
  fail (err: Error): void { this.error ??= err; this.notify() }

  async next (): Promise<SnapshotChunk> {
    for (;;) {
      const c = this.items.shift()
      if (c !== undefined) return c
      if (this.error !== undefined) throw this.error
      await new Promise<void>(resolve => { this.wake = resolve })
    }
  }

  private notify (): void {
    const w = this.wake
    this.wake = undefined
    w?.()
  }
}

/**
 * A `RaftTransport` over `@clusterfunk/sim`'s virtual networks, for
 * deterministic simulation of whole `Raft` nodes. Every message is encoded
 * with the real codec (`raft.proto`) into its own datagram on a
 * `PacketNetwork`, so the bytes the gRPC transport would carry are what the
 * faults act on; a datagram that does not decode is dropped and counted.
 * Snapshots stream over a `StreamNetwork` connection in `SnapshotChunk`s
 * (offsets and the CRC-32 of the whole checked, as the gRPC transport
 * does); the receiver answers with one byte, 1 when it stored the snapshot.
 * `crash()` drops the node off both networks at once, without any goodbye.
 */
export class SimTransport extends Service implements RaftTransport {
  readonly address: string
  readonly stats: SimTransportStats = { sent: 0, received: 0, rejected: 0 }
  private readonly packets: PacketNetwork
  private readonly streams: StreamNetwork
  private readonly logger: Logger
  private readonly chunkBytes: number
  private handler: TransportHandler | undefined
  private socket: PacketSocket | undefined
  private listener: StreamListener | undefined
  private readonly connections = new Set<SimConnection>()
  private dead = false

  constructor (components: SimTransportComponents, init: SimTransportInit) {
    super()
    this.packets = components.packets
    this.streams = components.streams
    this.logger = components.logger ?? silentLogger('raft:sim-transport')
    this.address = init.address
    this.chunkBytes = init.snapshotChunkBytes ?? 64 * 1024
    if (!(this.chunkBytes >= 1)) throw new RangeError('snapshotChunkBytes must be at least 1')
  }

  setHandler (handler: TransportHandler): void {
    this.handler = handler
  }

  protected async onStart (): Promise<void> {
    if (this.dead) throw new Error(`transport ${this.address} crashed; build a new one`)
    const socket = this.packets.bind(this.address)
    socket.onMessage((bytes, from) => { this.receive(bytes, from) })
    this.socket = socket
    this.listener = this.streams.listen(this.address, conn => { this.serveSnapshot(conn) })
  }

  protected async onStop (): Promise<void> {
    this.release()
  }

  /** Drops off both networks now: the socket and listener close, every snapshot connection is reset. */
  crash (): void {
    this.dead = true
    this.release()
  }

  send (_to: NodeId, address: string, messages: readonly Message[]): boolean {
    const socket = this.socket
    if (socket === undefined || this.dead || this.status !== 'started') return false
    for (const m of messages) {
      socket.send(address, encodeMessage(m))
      this.stats.sent++
    }
    return true
  }

  async sendSnapshot (_to: NodeId, address: string, header: InstallSnapshotRequest, data: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<boolean> {
    if (this.dead || this.status !== 'started') return false
    const conn = this.streams.connect(this.address, address)
    this.connections.add(conn)
    const answer = new Promise<boolean>(resolve => {
      conn.onMessage(bytes => { resolve(bytes[0] === 1); conn.close() })
      conn.onClose(() => { this.connections.delete(conn); resolve(false) })
    })
    const onAbort = (): void => { conn.reset() }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      let offset = 0
      let crc = 0
      let first = true
      for await (const piece of data) {
        for (let at = 0; at < piece.length; at += this.chunkBytes) {
          const part = piece.subarray(at, at + this.chunkBytes)
          crc = crc32(part, crc)
          if (conn.state === 'closed') return await answer
          conn.send(encodeSnapshotChunk({ ...(first ? { header } : {}), offset, data: part, last: false, crc32: 0 }))
          first = false
          offset += part.length
        }
      }
      if (conn.state !== 'closed') conn.send(encodeSnapshotChunk({ ...(first ? { header } : {}), offset, data: new Uint8Array(0), last: true, crc32: crc }))
      return await answer
    } catch (err) {
      this.logger.debug('snapshot stream failed', { to: address, err: (err as Error).message })
      conn.reset()
      return false
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  private receive (bytes: Uint8Array, from: string): void {
    if (this.dead || this.status !== 'started') return
    let m: Message
    try {
      m = decodeMessage(bytes)
    } catch {
      this.stats.rejected++
      return
    }
    this.stats.received++
    this.handler?.onMessage(m, from)
  }

  private serveSnapshot (conn: SimConnection): void {
    if (this.dead || this.handler === undefined) { conn.reset(); return }
    this.connections.add(conn)
    const queue = new ChunkQueue()
    let started = false
    conn.onClose(err => { this.connections.delete(conn); queue.fail(err ?? new Error('the snapshot stream closed early')) })
    conn.onMessage(bytes => {
      let c: SnapshotChunk
      try {
        c = decodeSnapshotChunk(bytes)
      } catch (err) {
        queue.fail(err as Error)
        return
      }
      queue.push(c)
      if (started) return
      started = true
      void this.storeSnapshot(conn, queue)
    })
  }

  private async storeSnapshot (conn: SimConnection, queue: ChunkQueue): Promise<void> {
    const bad = (why: string): never => { this.stats.rejected++; throw new Error(`bad snapshot stream: ${why}`) }
    let ok = false
    try {
      const head = await queue.next()
      if (head.header?.type !== 'installSnapshot') bad('no installSnapshot header')
      const data = verifiedSnapshotData(head, async () => await queue.next(), bad)
      ok = this.handler !== undefined && !this.dead && await this.handler.onSnapshot(head.header as InstallSnapshotRequest, data)
    } catch (err) {
      this.logger.debug('snapshot receive failed', { err: (err as Error).message })
    }
    if (conn.state === 'open' && !this.dead) conn.send(Uint8Array.of(ok ? 1 : 0))
  }

  private release (): void {
    this.socket?.close()
    this.socket = undefined
    this.listener?.close()
    this.listener = undefined
    for (const conn of [...this.connections]) conn.reset()
    this.connections.clear()
  }
}
