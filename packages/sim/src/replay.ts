import { fileURLToPath } from 'node:url'
import { isAbsolute, relative, sep } from 'node:path'

/** Where a test lives, as mocha knows it: pass `this.test` from inside an `it`. */
export interface TestLocation {
  /** Path of the compiled test file. */
  file?: string
  /** The full title mocha's `-g` matches. */
  fullTitle: () => string
}

/** Quotes `text` for a POSIX shell. */
export function shellQuote (text: string): string {
  return /^[\w./:=@%+-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`
}

/**
 * The command that runs one seed of one test again:
 * `SIM_SEED=<seed> npx mocha --no-config --timeout 60000 <file> -g <title>`.
 * The file is relative to the working directory when it lies inside it, so
 * the command works from where the failing run was started. Mocha treats a
 * string `-g` as literal text, so titles need no escaping beyond the shell's.
 */
export function replayCommand (seed: number, file: string | undefined, title: string | undefined, cwd: string = process.cwd()): string {
  const parts = [`SIM_SEED=${seed}`, 'npx', 'mocha', '--no-config', '--timeout', '60000']
  if (file !== undefined) parts.push(shellQuote(displayPath(file, cwd)))
  if (title !== undefined && title !== '') parts.push('-g', shellQuote(title))
  return parts.join(' ')
}

function displayPath (file: string, cwd: string): string {
  const path = file.startsWith('file:') ? fileURLToPath(file) : file
  if (!isAbsolute(path)) return path
  const rel = relative(cwd, path)
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/')
}

/**
 * The first file on the current stack outside this package's own sources:
 * the test that called `runSeeds`, when the caller did not say. Only used
 * to build the replay command, never by the simulation itself.
 */
export function callerFile (): string | undefined {
  const ownDir = fileURLToPath(new URL('.', import.meta.url))
  const stack = new Error().stack ?? ''
  for (const match of stack.matchAll(/(file:\/\/[^\s)]+?|\/[^\s)(]+?):\d+:\d+/g)) {
    const raw = match[1] as string
    const path = raw.startsWith('file:') ? fileURLToPath(raw) : raw
    if (path.startsWith(ownDir) || path.includes(`${sep}node_modules${sep}`) || path.startsWith('node:')) continue
    return path
  }
  return undefined
}
