import type { Clock } from '@clusterfunk/core'
import type { InstallSnapshotRequest, Message, NodeId, RaftTransport, TransportHandler } from '@clusterfunk/raft'

const FROM_LEADER: ReadonlySet<Message['type']> = new Set(['appendEntries', 'heartbeat', 'installSnapshot'])

/**
 * A `RaftTransport` that passes everything through to another one and
 * notes when each node last sent this node something only a leader sends
 * (appends, heartbeats, snapshots). The cluster uses it to decide whether
 * this node is in contact with its leader.
 */
export class ContactTransport implements RaftTransport {
  private readonly inner: RaftTransport
  private readonly clock: Clock
  private readonly heard = new Map<NodeId, number>()

  constructor (inner: RaftTransport, clock: Clock) {
    this.inner = inner
    this.clock = clock
  }

  get address (): string { return this.inner.address }
  get status (): RaftTransport['status'] { return this.inner.status }

  /** When `id` last sent a leader's message (clock time), if ever. */
  lastHeardFrom (id: NodeId): number | undefined {
    return this.heard.get(id)
  }

  setHandler (handler: TransportHandler): void {
    this.inner.setHandler({
      onMessage: (m, from) => {
        if (FROM_LEADER.has(m.type)) this.heard.set(m.from, this.clock.now())
        handler.onMessage(m, from)
      },
      onSnapshot: async (header: InstallSnapshotRequest, data) => {
        this.heard.set(header.from, this.clock.now())
        return await handler.onSnapshot(header, data)
      }
    })
  }

  async start (): Promise<void> { await this.inner.start() }
  async stop (): Promise<void> { await this.inner.stop() }

  send (to: NodeId, address: string, messages: readonly Message[]): boolean {
    return this.inner.send(to, address, messages)
  }

  connect (address: string): void {
    this.inner.connect?.(address)
  }

  async sendSnapshot (to: NodeId, address: string, header: InstallSnapshotRequest, data: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<boolean> {
    return await this.inner.sendSnapshot(to, address, header, data, signal)
  }
}
