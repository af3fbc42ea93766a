import type { Random } from '@clusterfunk/core'
import { nodeOf } from './address.js'
import { copyBytes } from './copy-bytes.js'
import { ConnectionError } from './errors.js'
import { fingerprint } from './fingerprint.js'
import { DEFAULT_LINK, sampleLatency, validateLink, type LinkConfig } from './link.js'
import { Partitions, type PartitionOptions } from './partitions.js'
import type { Simulation } from './simulation.js'

/** Why a packet was not delivered. `closed`: nothing was bound at the destination when it arrived. */
export type DropReason = 'loss' | 'partition' | 'closed' | 'oversize'

export interface PacketStats {
  /** `send` calls accepted from open sockets. */
  sent: number
  /** Copies handed to a socket (a duplicated packet counts twice). */
  delivered: number
  duplicated: number
  reordered: number
  dropped: Record<DropReason, number>
}

export interface PacketNetworkInit extends Partial<LinkConfig> {
  /** Cuts to obey; share one with a `StreamNetwork` so a partition cuts both. Default a new one. */
  partitions?: Partitions
  /** Names this network in trace lines. Default `udp`. */
  name?: string
}

export interface LinkOptions {
  /** Apply only from the first node to the second. Default false: both directions. */
  oneWay?: boolean
}

/** Receives a datagram: a private copy of its bytes and the sender's address. */
export type PacketHandler = (bytes: Uint8Array, from: string) => void

/**
 * A UDP-like network on virtual time: best-effort datagrams that may be
 * lost, duplicated, delayed and reordered, each fault drawn from the
 * network's own random stream (`sim.fork(name)`). Partitions are checked
 * when a packet is sent and again when it arrives, so packets in flight
 * when a partition starts are lost too. Every delivered packet is a fresh
 * copy: neither the sender's later writes nor another receiver's touch it.
 */
export class PacketNetwork {
  readonly partitions: Partitions
  private readonly name: string
  private readonly random: Random
  private readonly defaults: LinkConfig
  private readonly links = new Map<string, Partial<LinkConfig>>()
  private readonly sockets = new Map<string, PacketSocket>()
  private readonly counters: PacketStats = {
    sent: 0, delivered: 0, duplicated: 0, reordered: 0, dropped: { loss: 0, partition: 0, closed: 0, oversize: 0 }
  }

  private nextId = 0

  constructor (private readonly sim: Simulation, init: PacketNetworkInit = {}) {
    const { partitions, name, ...link } = init
    validateLink(link)
    this.defaults = { ...DEFAULT_LINK, ...stripUndefined(link) }
    this.partitions = partitions ?? new Partitions()
    this.name = name ?? 'udp'
    this.random = sim.fork(this.name)
  }

  /** Binds `address` and returns its socket. Throws `ConnectionError('EADDRINUSE')` if an open socket holds it. */
  bind (address: string): PacketSocket {
    if (this.sockets.has(address)) throw new ConnectionError('EADDRINUSE', `${address} is already bound`)
    const socket = new PacketSocket(this, address, () => { this.sockets.delete(address) })
    this.sockets.set(address, socket)
    this.sim.trace.record(nodeOf(address), `${this.name} bind ${address}`)
    return socket
  }

  /** Overrides link settings between two nodes (both directions unless `oneWay`); later calls merge into earlier ones. */
  configureLink (a: string, b: string, overrides: Partial<LinkConfig>, options: LinkOptions = {}): void {
    validateLink(overrides)
    const set = (from: string, to: string): void => {
      const key = linkKey(from, to)
      this.links.set(key, { ...this.links.get(key), ...stripUndefined(overrides) })
    }
    set(a, b)
    if (options.oneWay !== true) set(b, a)
  }

  /** Removes every per-link override. */
  clearLinks (): void {
    this.links.clear()
  }

  /** The settings packets from `from` to `to` get: the network's, with any per-link override on top. */
  linkConfig (from: string, to: string): LinkConfig {
    const override = this.links.get(linkKey(from, to))
    return override === undefined ? this.defaults : { ...this.defaults, ...override }
  }

  /** Shorthand for `partitions.partition`. */
  partition (a: Iterable<string>, b: Iterable<string>, options?: PartitionOptions): void {
    this.partitions.partition(a, b, options)
  }

  /** Shorthand for `partitions.isolate`. */
  isolate (node: string): void {
    this.partitions.isolate(node)
  }

  /** Shorthand for `partitions.heal`. */
  heal (): void {
    this.partitions.heal()
  }

  /** A snapshot of the counters. */
  get stats (): PacketStats {
    return { ...this.counters, dropped: { ...this.counters.dropped } }
  }

  /** @internal Called by `PacketSocket.send` with a private copy of the bytes. */
  transmit (from: string, to: string, bytes: Uint8Array): void {
    const id = this.nextId++
    const node = nodeOf(from)
    this.counters.sent++
    this.sim.trace.record(node, `${this.name} send #${id} ${from}>${to} ${bytes.length}B ${fingerprint(bytes)}`)
    const link = this.linkConfig(from, to)
    if (bytes.length > link.maxPacketBytes) return this.drop(node, id, 'oversize')
    if (this.partitions.blocked(from, to)) return this.drop(node, id, 'partition')
    if (this.random.chance(link.lossRate)) return this.drop(node, id, 'loss')
    const copies = this.random.chance(link.duplicateRate) ? 2 : 1
    if (copies === 2) this.counters.duplicated++
    for (let copy = 0; copy < copies; copy++) {
      let delay = sampleLatency(link.latency, this.random)
      if (this.random.chance(link.reorderRate)) {
        this.counters.reordered++
        delay += this.random.float() * link.reorderMaxExtraMs
      }
      this.sim.schedule(delay, () => { this.arrive(id, from, to, bytes) })
    }
  }

  private arrive (id: number, from: string, to: string, bytes: Uint8Array): void {
    const node = nodeOf(to)
    if (this.partitions.blocked(from, to)) return this.drop(node, id, 'partition')
    const socket = this.sockets.get(to)
    if (socket === undefined) return this.drop(node, id, 'closed')
    this.counters.delivered++
    this.sim.trace.record(node, `${this.name} recv #${id} ${from}>${to}`)
    socket.deliver(copyBytes(bytes), from)
  }

  private drop (node: string, id: number, reason: DropReason): void {
    this.counters.dropped[reason]++
    this.sim.trace.record(node, `${this.name} drop #${id} ${reason}`)
  }
}

/**
 * A bound datagram socket. Sending is fire-and-forget; delivery happens
 * later on virtual time. Exceptions thrown by the message handler propagate
 * out of the simulation's `step`, so a broken invariant stops the run.
 */
export class PacketSocket {
  private handler: PacketHandler | undefined
  private open = true

  constructor (private readonly network: PacketNetwork, readonly address: string, private readonly release: () => void) {}

  /** True until `close()`. */
  get isOpen (): boolean {
    return this.open
  }

  /** Sends a copy of `bytes` to `to`. Throws `ConnectionError('EPIPE')` once closed. */
  send (to: string, bytes: Uint8Array): void {
    if (!this.open) throw new ConnectionError('EPIPE', `socket ${this.address} is closed`)
    this.network.transmit(this.address, to, copyBytes(bytes))
  }

  /** Sets the handler of arriving packets, replacing any earlier one. Packets arriving with no handler are discarded. */
  onMessage (handler: PacketHandler): void {
    this.handler = handler
  }

  /** Unbinds the address (it can be bound again, as after a restart). Packets still in flight to it are dropped as `closed`. Idempotent. */
  close (): void {
    if (!this.open) return
    this.open = false
    this.handler = undefined
    this.release()
  }

  /** @internal */
  deliver (bytes: Uint8Array, from: string): void {
    this.handler?.(bytes, from)
  }
}

function linkKey (from: string, to: string): string {
  return `${nodeOf(from)}\0${nodeOf(to)}`
}

function stripUndefined<T extends object> (value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
