import { ClusterfunkError } from '@clusterfunk/core'
import { crc32 } from './checksum.js'
import type { SnapshotMetadata } from './types.js'

/** A stored snapshot's description. */
export interface SnapshotInfo extends SnapshotMetadata {
  /** Unique within the store; newer snapshots sort after older ones. */
  readonly id: string
  readonly size: number
  readonly crc32: number
}

/** A snapshot being written. Nothing is visible until `close()` resolves. */
export interface SnapshotSink {
  write: (chunk: Uint8Array) => Promise<void>
  /** Makes the snapshot durable and visible; resolves with its description. */
  close: () => Promise<SnapshotInfo>
  /** Throws the partial snapshot away. */
  cancel: () => Promise<void>
}

/**
 * Where snapshots live (hashicorp's SnapshotStore). `list()` is newest
 * first; a store keeps its newest `retain` snapshots and deletes older ones
 * when a new one is closed. `open` verifies the checksum before it hands
 * out a byte, and fails with `CorruptSnapshotError` otherwise.
 */
export interface SnapshotStore {
  create: (metadata: SnapshotMetadata) => Promise<SnapshotSink>
  list: () => Promise<SnapshotInfo[]>
  open: (id: string) => Promise<{ info: SnapshotInfo, stream: AsyncIterable<Uint8Array> }>
}

/** A snapshot's bytes do not match its recorded size or checksum, or its metadata is unreadable. */
export class CorruptSnapshotError extends ClusterfunkError {
  static readonly code = 'ERR_CORRUPT_SNAPSHOT'
  constructor (message: string, options?: ErrorOptions) {
    super(message, CorruptSnapshotError.code, options)
    this.name = 'CorruptSnapshotError'
  }
}

/** The id of a snapshot: sortable by term, index, then creation order. */
export function snapshotId (metadata: SnapshotMetadata, seq: number): string {
  const pad = (n: number): string => String(n).padStart(16, '0')
  return `${pad(metadata.term)}-${pad(metadata.index)}-${pad(seq)}`
}

/** An in-memory `SnapshotStore` for tests and simulation. */
export class MemorySnapshotStore implements SnapshotStore {
  private readonly snapshots = new Map<string, { info: SnapshotInfo, data: Uint8Array[] }>()
  private readonly retain: number
  private seq = 0

  constructor (retain = 2) {
    this.retain = retain
  }

  async create (metadata: SnapshotMetadata): Promise<SnapshotSink> {
    const chunks: Uint8Array[] = []
    let crc = 0
    let size = 0
    const id = snapshotId(metadata, this.seq++)
    return {
      write: async (chunk) => {
        chunks.push(chunk.slice())
        crc = crc32(chunk, crc)
        size += chunk.byteLength
      },
      close: async () => {
        const info: SnapshotInfo = { ...metadata, id, size, crc32: crc }
        this.snapshots.set(id, { info, data: chunks })
        const ids = [...this.snapshots.keys()].sort()
        for (const old of ids.slice(0, Math.max(0, ids.length - this.retain))) this.snapshots.delete(old)
        return info
      },
      cancel: async () => { chunks.length = 0 }
    }
  }

  async list (): Promise<SnapshotInfo[]> {
    return [...this.snapshots.values()].map(s => s.info).sort((a, b) => a.id < b.id ? 1 : -1)
  }

  async open (id: string): Promise<{ info: SnapshotInfo, stream: AsyncIterable<Uint8Array> }> {
    const s = this.snapshots.get(id)
    if (s === undefined) throw new CorruptSnapshotError(`no snapshot ${id}`)
    const data = s.data
    return { info: s.info, stream: (async function * () { yield * data })() }
  }
}
