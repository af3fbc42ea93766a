import { Service } from '@clusterfunk/core'
import type { NodeId } from './configuration.js'
import type { InstallSnapshotRequest, Message } from './messages.js'
import type { RaftTransport, TransportHandler } from './transport.js'

/**
 * A hub of in-memory transports for tests: messages are delivered on a
 * later macrotask (never re-entrantly), in order per pair, and tests can cut
 * a node off with `isolate` or `setLinkDown`.
 */
export class MemoryNetwork {
  private readonly nodes = new Map<string, MemoryTransport>()
  private readonly down = new Set<string>()
  /** Messages delivered so far. */
  delivered = 0
  /** A test's fault: a message for which it returns true is lost (sent, never delivered). */
  lose: ((m: Message, from: string, to: string) => boolean) | undefined

  /** A transport listening at `address`. */
  transport (address: string): MemoryTransport {
    return new MemoryTransport(this, address)
  }

  /** Cuts (or restores) every link to and from `address`. */
  isolate (address: string, isolated = true): void {
    if (isolated) this.down.add(address)
    else this.down.delete(address)
  }

  /** True when `from` can reach `to` now. */
  reachable (from: string, to: string): boolean {
    return !this.down.has(from) && !this.down.has(to) && this.nodes.get(to)?.status === 'started'
  }

  /** @internal */
  register (t: MemoryTransport): void {
    if (this.nodes.has(t.address)) throw new Error(`address ${t.address} is in use`)
    this.nodes.set(t.address, t)
  }

  /** @internal */
  unregister (t: MemoryTransport): void {
    if (this.nodes.get(t.address) === t) this.nodes.delete(t.address)
  }

  /** @internal */
  target (address: string): MemoryTransport | undefined {
    return this.nodes.get(address)
  }
}

export class MemoryTransport extends Service implements RaftTransport {
  readonly address: string
  private readonly network: MemoryNetwork
  private handler: TransportHandler | undefined
  private readonly queues = new Map<string, Message[]>()

  constructor (network: MemoryNetwork, address: string) {
    super()
    this.network = network
    this.address = address
  }

  setHandler (handler: TransportHandler): void {
    this.handler = handler
  }

  protected async onStart (): Promise<void> {
    this.network.register(this)
  }

  protected async onStop (): Promise<void> {
    this.network.unregister(this)
    this.queues.clear()
  }

  /** @internal */
  deliver (messages: readonly Message[], from: string): void {
    if (this.status !== 'started') return
    for (const m of messages) this.handler?.onMessage(m, from)
  }

  /** @internal */
  async receiveSnapshot (header: InstallSnapshotRequest, data: AsyncIterable<Uint8Array>): Promise<boolean> {
    if (this.status !== 'started' || this.handler === undefined) return false
    return await this.handler.onSnapshot(header, data)
  }

  send (_to: NodeId, address: string, messages: readonly Message[]): boolean {
    if (this.status !== 'started' || !this.network.reachable(this.address, address)) return false
    const lose = this.network.lose
    const kept = lose === undefined ? messages : messages.filter(m => !lose(m, this.address, address))
    let q = this.queues.get(address)
    if (q === undefined) {
      const batch: Message[] = []
      q = batch
      this.queues.set(address, batch)
      setImmediate(() => {
        this.queues.delete(address)
        if (this.status !== 'started' || !this.network.reachable(this.address, address)) return
        this.network.delivered += batch.length
        this.network.target(address)?.deliver(batch, this.address)
      })
    }
    q.push(...kept)
    return true
  }

  async sendSnapshot (_to: NodeId, address: string, header: InstallSnapshotRequest, data: AsyncIterable<Uint8Array>): Promise<boolean> {
    const target = this.network.target(address)
    if (target === undefined || !this.network.reachable(this.address, address)) return false
    try {
      return await target.receiveSnapshot(header, data)
    } catch {
      return false
    }
  }
}
