import { InvalidConfigError, type Random } from '@clusterfunk/core'
import { nodeOf } from './address.js'
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_LATENCY } from './constants.js'
import { ConnectionError, type ConnectionErrorCode } from './errors.js'
import { fingerprint } from './fingerprint.js'
import { sampleLatency, validateLatency, type Latency } from './link.js'
import { Partitions, type PartitionOptions } from './partitions.js'
import type { Simulation } from './simulation.js'
import { SimConnection, type ConnectionHost } from './stream-connection.js'

export interface StreamNetworkInit {
  /** One-way latency of every message and handshake step. Default 1–5 ms. */
  latency?: Latency
  /** How long a connect whose handshake is lost (a partition) waits before `ETIMEDOUT`. Default 1000 ms. */
  connectTimeoutMs?: number
  /** Cuts to obey; share one with a `PacketNetwork` so a partition cuts both. Default a new one. */
  partitions?: Partitions
  /** Names this network in trace lines. Default `tcp`. */
  name?: string
}

export interface StreamStats {
  connects: number
  accepted: number
  refused: number
  timedOut: number
  resets: number
  messages: number
}

/** A listening address; `close()` stops accepting but leaves accepted connections alone, like `net.Server.close`. */
export interface StreamListener {
  readonly address: string
  close: () => void
}

/**
 * A TCP-like network on virtual time: connections with framed, reliable,
 * in-order messages. A connect takes a round trip (the server end opens
 * when the SYN arrives, the client end when the reply returns); it fails
 * with `ECONNREFUSED` when nobody listens, and with `ETIMEDOUT` after
 * `connectTimeoutMs` when a partition swallows the handshake. A new
 * partition resets, on both ends, every connection it severs. Latencies
 * come from the network's own random stream (`sim.fork(name)`).
 */
export class StreamNetwork implements ConnectionHost {
  readonly partitions: Partitions
  private readonly name: string
  private readonly random: Random
  private readonly latency: Latency
  private readonly connectTimeoutMs: number
  private readonly listeners = new Map<string, (conn: SimConnection) => void>()
  private readonly live = new Set<SimConnection>()
  private nextId = 0
  private readonly counters: StreamStats = { connects: 0, accepted: 0, refused: 0, timedOut: 0, resets: 0, messages: 0 }

  constructor (private readonly sim: Simulation, init: StreamNetworkInit = {}) {
    validateLatency(init.latency)
    const timeout = init.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
    if (!(timeout >= 0)) throw new InvalidConfigError('connectTimeoutMs', 'must be >= 0')
    this.latency = init.latency ?? DEFAULT_LATENCY
    this.connectTimeoutMs = timeout
    this.partitions = init.partitions ?? new Partitions()
    this.name = init.name ?? 'tcp'
    this.random = sim.fork(this.name)
    this.partitions.onChange(() => { this.resetSevered() })
  }

  /** Accepts connections to `address`, handing each server end to `onConnection`. Throws `ConnectionError('EADDRINUSE')` if taken. */
  listen (address: string, onConnection: (conn: SimConnection) => void): StreamListener {
    if (this.listeners.has(address)) throw new ConnectionError('EADDRINUSE', `${address} is already listening`)
    this.listeners.set(address, onConnection)
    this.sim.trace.record(nodeOf(address), `${this.name} listen ${address}`)
    let open = true
    return {
      address,
      close: () => {
        if (!open) return
        open = false
        this.listeners.delete(address)
      }
    }
  }

  /**
   * Starts connecting from `from` (an address or a node name) to `to` and
   * returns the client end at once, `connecting`. Its open handlers run
   * when the handshake completes; on failure its close handlers get a
   * `ConnectionError`.
   */
  connect (from: string, to: string): SimConnection {
    const client = new SimConnection(this, this.nextId++, from, to, 'connecting')
    this.counters.connects++
    this.live.add(client)
    this.sim.trace.record(nodeOf(from), `${this.name} connect c${client.id} ${from}>${to}`)
    const deadline = this.sim.schedule(this.connectTimeoutMs, () => { this.failConnect(client, 'ETIMEDOUT') })
    client.onOpen(() => { this.sim.clearTimeout(deadline) })
    client.onClose(() => { this.sim.clearTimeout(deadline) })
    if (this.partitions.blocked(from, to)) return client
    this.after(() => { this.synArrives(client) })
    return client
  }

  /** `connect`, resolving with the open client end or rejecting with its `ConnectionError`. */
  async connectAsync (from: string, to: string): Promise<SimConnection> {
    const client = this.connect(from, to)
    return await new Promise((resolve, reject) => {
      client.onOpen(() => { resolve(client) })
      client.onClose(err => { reject(err ?? new ConnectionError('ECONNRESET', 'closed before it opened')) })
    })
  }

  /** Resets every live connection between nodes `a` and `b` (either direction). Returns how many were reset. */
  reset (a: string, b: string): number {
    const na = nodeOf(a)
    const nb = nodeOf(b)
    return this.resetWhere(conn => {
      const l = nodeOf(conn.localAddress)
      const r = nodeOf(conn.remoteAddress)
      return (l === na && r === nb) || (l === nb && r === na)
    }, `reset between ${na} and ${nb}`)
  }

  partition (a: Iterable<string>, b: Iterable<string>, options?: PartitionOptions): void {
    this.partitions.partition(a, b, options)
  }

  isolate (node: string): void {
    this.partitions.isolate(node)
  }

  heal (): void {
    this.partitions.heal()
  }

  /** Connection ends not closed yet (client ends still connecting included). */
  get openConnections (): number {
    return this.live.size
  }

  get stats (): StreamStats {
    return { ...this.counters }
  }

  /** @internal */
  transmit (from: SimConnection, bytes: Uint8Array): void {
    const to = from.peer
    if (to === undefined) return
    this.counters.messages++
    this.sim.trace.record(nodeOf(from.localAddress), `${this.name} send c${from.id} ${bytes.length}B ${fingerprint(bytes)}`)
    this.inOrder(from, () => {
      if (to.state !== 'open') return
      this.sim.trace.record(nodeOf(to.localAddress), `${this.name} recv c${from.id}`)
      to.deliver(bytes)
    })
  }

  /** @internal */
  closeGracefully (end: SimConnection): void {
    this.sim.trace.record(nodeOf(end.localAddress), `${this.name} close c${end.id}`)
    this.finish(end)
    const peer = end.peer
    if (peer === undefined) return
    // The FIN travels behind the data already sent, so the peer reads everything first.
    this.inOrder(end, () => {
      if (peer.state === 'closed') return
      this.sim.trace.record(nodeOf(peer.localAddress), `${this.name} fin c${peer.id}`)
      this.finish(peer)
    })
  }

  /** @internal */
  resetPair (end: SimConnection, reason: string): void {
    this.counters.resets++
    this.sim.trace.record(nodeOf(end.localAddress), `${this.name} reset c${end.id}`)
    const err = (): ConnectionError => new ConnectionError('ECONNRESET', reason)
    this.finish(end, err())
    if (end.peer !== undefined) this.finish(end.peer, err())
  }

  private synArrives (client: SimConnection): void {
    if (client.state !== 'connecting' || this.partitions.blocked(client.localAddress, client.remoteAddress)) return
    const accept = this.listeners.get(client.remoteAddress)
    if (accept === undefined) {
      this.after(() => { this.failConnect(client, 'ECONNREFUSED') })
      return
    }
    const server = new SimConnection(this, client.id, client.remoteAddress, client.localAddress, 'open')
    server.peer = client
    client.peer = server
    this.live.add(server)
    this.counters.accepted++
    this.sim.trace.record(nodeOf(server.localAddress), `${this.name} accept c${server.id}`)
    // The reply goes first on the server's ordered stream, so data the server sends on accept cannot overtake it.
    this.inOrder(server, () => { this.synAckArrives(client, server) })
    accept(server)
  }

  private synAckArrives (client: SimConnection, server: SimConnection): void {
    // A reply lost to a partition leaves the client to time out; the connect deadline handles it.
    if (this.partitions.blocked(server.localAddress, client.localAddress)) return
    if (client.state === 'closed') {
      // The client gave up while the handshake was in flight: the server end learns of it a latency later.
      this.after(() => { if (server.state !== 'closed') this.finish(server) })
      return
    }
    if (server.state === 'closed') return this.failConnect(client, 'ECONNRESET')
    this.sim.trace.record(nodeOf(client.localAddress), `${this.name} open c${client.id}`)
    client.markOpen()
    for (const bytes of client.outbox.splice(0)) this.transmit(client, bytes)
  }

  private failConnect (client: SimConnection, code: ConnectionErrorCode): void {
    if (client.state !== 'connecting') return
    if (code === 'ETIMEDOUT') this.counters.timedOut++
    else if (code === 'ECONNREFUSED') this.counters.refused++
    this.sim.trace.record(nodeOf(client.localAddress), `${this.name} fail c${client.id} ${code}`)
    const err = new ConnectionError(code, `connecting ${client.localAddress} to ${client.remoteAddress} failed`)
    this.finish(client, err)
    // A server end accepted before the reply was lost would otherwise wait forever.
    if (client.peer !== undefined) this.finish(client.peer, new ConnectionError('ECONNRESET', 'the client never completed the handshake'))
  }

  private resetSevered (): void {
    this.resetWhere(conn => conn.state === 'open' && this.partitions.severed(conn.localAddress, conn.remoteAddress), 'partitioned')
  }

  private resetWhere (match: (conn: SimConnection) => boolean, reason: string): number {
    let n = 0
    // A copy, since resetting removes from the set; its insertion order makes the handler order reproducible.
    for (const conn of [...this.live].filter(match)) {
      if (conn.state === 'closed') continue
      this.resetPair(conn, reason)
      n++
    }
    return n
  }

  private finish (end: SimConnection, err?: ConnectionError): void {
    this.live.delete(end)
    end.markClosed(err)
  }

  /** Runs `fn` one sampled latency from now. */
  private after (fn: () => void): void {
    this.sim.schedule(sampleLatency(this.latency, this.random), fn)
  }

  /** Schedules `fn` one latency from now but never before the previous message from `from`, so deliveries keep their order. */
  private inOrder (from: SimConnection, fn: () => void): void {
    const at = Math.max(this.sim.now() + sampleLatency(this.latency, this.random), from.lastDeliveryAt)
    from.lastDeliveryAt = at
    this.sim.scheduleAt(at, fn)
  }
}
