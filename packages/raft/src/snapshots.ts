import type { Logger } from '@clusterfunk/core'
import type { NodeId } from './configuration.js'
import type { Fsm } from './fsm.js'
import type { InstallSnapshotRequest } from './messages.js'
import type { SnapshotInfo, SnapshotStore } from './snapshot-store.js'
import type { RaftTransport } from './transport.js'
import type { SnapshotMetadata } from './types.js'

const key = (m: { index: number, term: number }): string => `${m.index}:${m.term}`

/**
 * The `Raft` driver's snapshot work: taking snapshots, restoring the
 * newest good one at start, receiving a leader's stream into the store and
 * streaming ours to followers. It also serialises log-store writes that
 * must not interleave (appends, compaction, clearing).
 */
export class SnapshotManager {
  readonly store: SnapshotStore
  private readonly logger: Logger
  private disk: Promise<unknown> = Promise.resolve()
  private current: Promise<SnapshotInfo | undefined> | undefined
  private readonly received = new Map<string, string>()
  private readonly sending = new Map<NodeId, { abort: AbortController, done: Promise<void> }>()

  constructor (store: SnapshotStore, logger: Logger) {
    this.store = store
    this.logger = logger
  }

  get taking (): boolean {
    return this.current !== undefined
  }

  /** Runs `fn` after every disk operation queued before it. */
  async withDisk (fn: () => Promise<void>): Promise<void> {
    const next = this.disk.then(fn)
    this.disk = next.catch(() => undefined)
    await next
  }

  /** Writes a snapshot of `meta` from `stream` (captured by the FSM already). One at a time: a second call waits for the first. */
  async take (meta: SnapshotMetadata, stream: AsyncIterable<Uint8Array>): Promise<SnapshotInfo | undefined> {
    if (this.current !== undefined) return await this.current
    this.current = (async () => {
      const sink = await this.store.create(meta)
      try {
        for await (const chunk of stream) await sink.write(chunk)
      } catch (err) {
        await sink.cancel()
        throw err
      }
      return await sink.close()
    })()
    try {
      return await this.current
    } finally {
      this.current = undefined
    }
  }

  /** Restores `fsm` from the newest snapshot that opens (checksum verified); skips damaged ones. */
  async restoreNewest (fsm: Fsm<unknown>): Promise<SnapshotInfo | undefined> {
    for (const info of await this.store.list()) {
      let opened
      try {
        opened = await this.store.open(info.id)
      } catch (err) {
        this.logger.warn('skipping a damaged snapshot', { id: info.id, err: (err as Error).message })
        continue
      }
      await fsm.restore(opened.stream)
      return opened.info
    }
    return undefined
  }

  /** Stores a snapshot streamed by the leader; true once it is durable. */
  async receive (meta: SnapshotMetadata, data: AsyncIterable<Uint8Array>): Promise<boolean> {
    const sink = await this.store.create(meta)
    try {
      for await (const chunk of data) await sink.write(chunk)
    } catch (err) {
      this.logger.warn('a snapshot stream from the leader failed', { err: (err as Error).message })
      await sink.cancel()
      return false
    }
    const info = await sink.close()
    this.received.set(key(meta), info.id)
    return true
  }

  /** Restores `fsm` from the received snapshot the core installed. */
  async restoreReceived (meta: SnapshotMetadata, fsm: Fsm<unknown>): Promise<void> {
    const id = this.received.get(key(meta)) ?? (await this.store.list()).find(i => key(i) === key(meta))?.id
    if (id === undefined) throw new Error(`the snapshot at ${meta.index} (term ${meta.term}) is not in the snapshot store`)
    const { stream } = await this.store.open(id)
    await fsm.restore(stream)
    this.received.clear()
  }

  /** Streams the snapshot `m` asks for to `m.to`; `done(ok)` reports the outcome exactly once. */
  send (m: InstallSnapshotRequest, address: string | undefined, transport: RaftTransport, done: (ok: boolean) => void): void {
    if (this.sending.has(m.to)) return
    const abort = new AbortController()
    const run = async (): Promise<boolean> => {
      if (address === undefined) return false
      const info = (await this.store.list()).find(i => key(i) === key(m.snapshot))
      if (info === undefined) return false
      const { stream } = await this.store.open(info.id)
      return await transport.sendSnapshot(m.to, address, m, stream, abort.signal)
    }
    const finished = run().catch((err: Error) => {
      this.logger.warn('sending a snapshot failed', { to: m.to, err: err.message })
      return false
    }).then((ok) => {
      this.sending.delete(m.to)
      if (!abort.signal.aborted) done(ok)
    })
    this.sending.set(m.to, { abort, done: finished })
  }

  abortSends (): void {
    for (const s of this.sending.values()) s.abort.abort()
  }

  /** Resolves when no snapshot is being taken or sent. */
  async idle (): Promise<void> {
    await Promise.all([...this.sending.values()].map(async s => await s.done))
    if (this.current !== undefined) await this.current.catch(() => undefined)
    await this.disk
  }
}
