import type { SimDisk } from '@clusterfunk/sim'
import { crc32 } from './checksum.js'
import type { Configuration } from './configuration.js'
import { CorruptSnapshotError, snapshotId, type SnapshotInfo, type SnapshotSink, type SnapshotStore } from './snapshot-store.js'
import type { SnapshotMetadata } from './types.js'

const STATE = '.state'
const META = '.meta'
const TMP = '.tmp'

/**
 * A `SnapshotStore` on a `@clusterfunk/sim` `SimDisk`, following
 * `FileSnapshotStore`'s protocol: the state is appended to
 * `<dir>/<id>.state` and fsynced, then `<id>.meta` (index, term,
 * configuration, size, CRC-32) is written to a temporary file, fsynced and
 * renamed into place, and the rename fsynced. A snapshot exists once its
 * meta file does, so a crash leaves the whole snapshot or none. `open`
 * checks size and checksum first; the newest `retain` are kept.
 * `close()` (a crash) makes every later call reject.
 */
export class SimSnapshotStore implements SnapshotStore {
  private readonly disk: SimDisk
  private readonly dir: string
  private readonly retain: number
  private seq: number
  private closed = false

  constructor (disk: SimDisk, dir = 'snapshots', retain = 2) {
    if (!Number.isSafeInteger(retain) || retain < 1) throw new RangeError('retain must be an integer >= 1')
    this.disk = disk
    this.dir = dir
    this.retain = retain
    // Ids must keep growing across incarnations: continue after the highest sequence on the disk.
    this.seq = Math.max(0, ...disk.list(`${dir}/`).map(p => Number(p.slice(dir.length + 1).split('.')[0]?.split('-')[2] ?? 0) + 1))
  }

  /** Detaches this incarnation from the disk: every later call rejects. */
  close (): void {
    this.closed = true
  }

  async create (metadata: SnapshotMetadata): Promise<SnapshotSink> {
    this.check()
    const id = snapshotId(metadata, this.seq++)
    const state = this.path(id, STATE)
    this.disk.writeFile(state, new Uint8Array(0))
    let crc = 0
    let size = 0
    let done = false
    return {
      write: async (chunk) => {
        this.check()
        if (done) throw new Error(`snapshot ${id} is already closed`)
        this.disk.appendFile(state, chunk)
        crc = crc32(chunk, crc)
        size += chunk.byteLength
      },
      close: async () => {
        this.check()
        done = true
        const info: SnapshotInfo = { ...metadata, id, size, crc32: crc }
        this.disk.fsync(state)
        const tmp = this.path(id, META + TMP)
        this.disk.writeFile(tmp, new TextEncoder().encode(JSON.stringify(info)))
        this.disk.fsync(tmp)
        this.disk.rename(tmp, this.path(id, META))
        this.disk.fsync(this.path(id, META))
        for (const old of (await this.list()).slice(this.retain)) this.remove(old.id)
        return info
      },
      cancel: async () => {
        done = true
        if (!this.closed) this.disk.unlink(state)
      }
    }
  }

  async list (): Promise<SnapshotInfo[]> {
    this.check()
    const out: SnapshotInfo[] = []
    for (const p of this.disk.list(`${this.dir}/`)) {
      if (!p.endsWith(META)) continue
      const info = this.readInfo(p)
      if (info !== undefined) out.push(info)
    }
    return out.sort((a, b) => a.id < b.id ? 1 : -1)
  }

  async open (id: string): Promise<{ info: SnapshotInfo, stream: AsyncIterable<Uint8Array> }> {
    this.check()
    const metaPath = this.path(id, META)
    const info = this.disk.exists(metaPath) ? this.readInfo(metaPath) : undefined
    if (info === undefined) throw new CorruptSnapshotError(`no snapshot ${id}`)
    const statePath = this.path(id, STATE)
    const data = this.disk.exists(statePath) ? this.disk.readFile(statePath) : undefined
    if (data === undefined || data.byteLength !== info.size) throw new CorruptSnapshotError(`snapshot ${id}: ${data?.byteLength ?? 0} bytes of state, expected ${info.size}`)
    if (crc32(data) !== info.crc32) throw new CorruptSnapshotError(`snapshot ${id}: the state fails its checksum`)
    return { info, stream: (async function * () { yield data })() }
  }

  private readInfo (path: string): SnapshotInfo | undefined {
    try {
      const o = JSON.parse(new TextDecoder().decode(this.disk.readFile(path))) as SnapshotInfo
      const c: Configuration | undefined = o.configuration
      if (typeof o.id !== 'string' || c === undefined || !Array.isArray(c.voters) || !Array.isArray(c.nonVoters)) return undefined
      return o
    } catch {
      return undefined
    }
  }

  private remove (id: string): void {
    this.disk.unlink(this.path(id, META))
    this.disk.unlink(this.path(id, STATE))
  }

  private path (id: string, suffix: string): string {
    return `${this.dir}/${id}${suffix}`
  }

  private check (): void {
    if (this.closed) throw new Error(`snapshot store ${this.disk.node} is closed`)
  }
}
