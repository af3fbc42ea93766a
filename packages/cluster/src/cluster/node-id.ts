import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { isValidNodeId } from '@clusterfunk/management'

/** The file in `dataDir` that keeps a generated node id. */
export const NODE_ID_FILE = 'node-id'

/**
 * This node's id: the one given, else the one kept in `dataDir/node-id`,
 * else a new random one written there (write, then rename), so a restart
 * with the same data directory is the same node.
 */
export async function loadNodeId (dataDir: string, given?: string): Promise<string> {
  await mkdir(dataDir, { recursive: true })
  if (given !== undefined) return given
  const file = path.join(dataDir, NODE_ID_FILE)
  try {
    const kept = (await readFile(file, 'utf8')).trim()
    if (isValidNodeId(kept)) return kept
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const id = `node-${randomBytes(6).toString('hex')}`
  await writeFile(`${file}.tmp`, `${id}\n`, { flush: true })
  await rename(`${file}.tmp`, file)
  return id
}
