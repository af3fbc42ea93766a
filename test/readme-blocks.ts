import { readdirSync, readFileSync, existsSync } from 'node:fs'
import path from 'node:path'

/**
 * What a README's TypeScript block claims, read from its info string:
 * - ` ```ts ` — a program: compiled (strict, NodeNext) and run to a clean exit;
 * - ` ```ts compile ` — compiled only, because running it needs what a test
 *   may not touch (addresses off this host, the LAN's multicast, a fixed port);
 * - ` ```ts fragment ` — a piece of a larger program, neither compiled nor run.
 */
export type BlockMode = 'run' | 'compile' | 'fragment'

export interface ReadmeBlock {
  /** The README, relative to the repository root. */
  readme: string
  /** The line of the opening fence (1-based). */
  line: number
  mode: BlockMode
  code: string
}

/** The READMEs whose blocks are checked: the root's and every workspace's. */
export function readmePaths (root: string): string[] {
  const found = ['README.md']
  for (const single of ['proto', 'fuzz', 'chaos']) found.push(path.join(single, 'README.md'))
  for (const group of ['packages', 'examples']) {
    const dir = path.join(root, group)
    if (!existsSync(dir)) continue
    for (const name of readdirSync(dir).sort()) found.push(path.join(group, name, 'README.md'))
  }
  return found.filter(p => existsSync(path.join(root, p)))
}

const OPEN = /^```(ts|typescript)(?:\s+(\S+))?\s*$/

/** Every TypeScript block of one README, with its mode; an unknown mode word is an error. */
export function extractBlocks (readme: string, text: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i] ?? '')
    if (open === null) continue
    const word = open[2] ?? 'run'
    if (word !== 'run' && word !== 'compile' && word !== 'fragment') {
      throw new Error(`${readme}:${i + 1}: unknown block mode '${word}' (run, compile or fragment)`)
    }
    const start = i
    const body: string[] = []
    for (i++; i < lines.length && !(lines[i] ?? '').startsWith('```'); i++) body.push(lines[i] ?? '')
    if (i >= lines.length) throw new Error(`${readme}:${start + 1}: the block is never closed`)
    blocks.push({ readme, line: start + 1, mode: word, code: body.join('\n') + '\n' })
  }
  return blocks
}

/** Every block of every README under `root`. */
export function allBlocks (root: string): ReadmeBlock[] {
  return readmePaths(root).flatMap(p => extractBlocks(p, readFileSync(path.join(root, p), 'utf8')))
}

/** A file name for a block: the README's folder and the fence's line. */
export function blockFileName (block: ReadmeBlock): string {
  const dir = path.dirname(block.readme)
  return `${dir === '.' ? 'root' : dir.replace(/[\\/]/g, '-')}-L${block.line}.ts`
}
