import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import type { Configuration } from './configuration.js'
import { crc32 } from './checksum.js'
import { CorruptSnapshotError, snapshotId, type SnapshotInfo, type SnapshotSink, type SnapshotStore } from './snapshot-store.js'
import type { SnapshotMetadata } from './types.js'

const TMP = '.tmp'
const META = 'meta.json'
const STATE = 'state.bin'

async function fsyncDir (dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try { await fh.sync() } finally { await fh.close() }
}

function parseInfo (text: string, where: string): SnapshotInfo {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(text) as Record<string, unknown>
  } catch (err) {
    throw new CorruptSnapshotError(`snapshot ${where}: ${META} is not JSON`, { cause: err })
  }
  const ints = ['index', 'term', 'size', 'crc32'] as const
  for (const k of ints) {
    if (typeof o[k] !== 'number' || !Number.isSafeInteger(o[k]) || (o[k] as number) < 0) throw new CorruptSnapshotError(`snapshot ${where}: ${META} has no valid ${k}`)
  }
  const c = o.configuration as Configuration | undefined
  if (typeof o.id !== 'string' || c === undefined || !Array.isArray(c.voters) || !Array.isArray(c.nonVoters)) {
    throw new CorruptSnapshotError(`snapshot ${where}: ${META} has no valid id or configuration`)
  }
  return o as unknown as SnapshotInfo
}

/**
 * Snapshots as files, one folder each: `<id>/state.bin` holds the state
 * machine's bytes, `<id>/meta.json` the index, term, configuration, size
 * and CRC-32. A snapshot is written into `<id>.tmp/`, both files are
 * fsynced, the folder is renamed into place and the parent folder fsynced,
 * so a crash leaves either the whole snapshot or none. The newest `retain`
 * snapshots are kept. `open` checks the size and checksum before it hands
 * out a byte; left-over `.tmp` folders are removed by `list()`.
 */
export class FileSnapshotStore implements SnapshotStore {
  readonly dir: string
  private readonly retain: number
  private readonly writing = new Set<string>()
  private seq = 0

  constructor (dir: string, retain = 2) {
    if (!Number.isSafeInteger(retain) || retain < 1) throw new RangeError('retain must be an integer >= 1')
    this.dir = dir
    this.retain = retain
  }

  async create (metadata: SnapshotMetadata): Promise<SnapshotSink> {
    await mkdir(this.dir, { recursive: true })
    const id = snapshotId(metadata, Date.now() * 1000 + (this.seq++ % 1000))
    const tmp = path.join(this.dir, id + TMP)
    this.writing.add(id)
    await mkdir(tmp, { recursive: true })
    const fh: FileHandle = await open(path.join(tmp, STATE), 'w')
    let crc = 0
    let size = 0
    let closed = false
    const finish = async (): Promise<void> => {
      if (closed) return
      closed = true
      await fh.close()
    }
    return {
      write: async (chunk) => {
        crc = crc32(chunk, crc)
        size += chunk.byteLength
        await fh.write(chunk)
      },
      close: async () => {
        try {
          await fh.sync()
          await finish()
          const info: SnapshotInfo = { id, index: metadata.index, term: metadata.term, configuration: metadata.configuration, size, crc32: crc }
          const mh = await open(path.join(tmp, META), 'w')
          try {
            await mh.writeFile(JSON.stringify(info))
            await mh.sync()
          } finally { await mh.close() }
          await fsyncDir(tmp)
          await rename(tmp, path.join(this.dir, id))
          await fsyncDir(this.dir)
          await this.prune()
          return info
        } finally {
          this.writing.delete(id)
        }
      },
      cancel: async () => {
        await finish()
        await rm(tmp, { recursive: true, force: true })
        this.writing.delete(id)
      }
    }
  }

  async list (): Promise<SnapshotInfo[]> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const out: SnapshotInfo[] = []
    for (const name of names.sort().reverse()) {
      if (name.endsWith(TMP)) {
        if (!this.writing.has(name.slice(0, -TMP.length))) await rm(path.join(this.dir, name), { recursive: true, force: true })
        continue
      }
      try {
        out.push(parseInfo(await readFile(path.join(this.dir, name, META), 'utf8'), name))
      } catch {
        // A folder without readable metadata is not a snapshot; open() reports it when asked for by id.
      }
    }
    return out
  }

  async open (id: string): Promise<{ info: SnapshotInfo, stream: AsyncIterable<Uint8Array> }> {
    if (id.includes('/') || id.includes('\\') || id.startsWith('.')) throw new CorruptSnapshotError(`snapshot id ${id} is not valid`)
    const folder = path.join(this.dir, id)
    let text: string
    try {
      text = await readFile(path.join(folder, META), 'utf8')
    } catch (err) {
      throw new CorruptSnapshotError(`snapshot ${id}: cannot read ${META}`, { cause: err })
    }
    const info = parseInfo(text, id)
    let crc = 0
    let size = 0
    try {
      for await (const chunk of createReadStream(path.join(folder, STATE))) {
        crc = crc32(chunk as Buffer, crc)
        size += (chunk as Buffer).byteLength
      }
    } catch (err) {
      throw new CorruptSnapshotError(`snapshot ${id}: cannot read ${STATE}`, { cause: err })
    }
    if (size !== info.size) throw new CorruptSnapshotError(`snapshot ${id}: ${STATE} has ${size} bytes, its metadata says ${info.size}`)
    if (crc !== info.crc32) throw new CorruptSnapshotError(`snapshot ${id}: ${STATE} fails its checksum`)
    const file = path.join(folder, STATE)
    const stream = (async function * () {
      for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) yield new Uint8Array(chunk as Buffer)
    })()
    return { info, stream }
  }

  private async prune (): Promise<void> {
    const all = await this.list()
    for (const old of all.slice(this.retain)) await rm(path.join(this.dir, old.id), { recursive: true, force: true })
  }
}
