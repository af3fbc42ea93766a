import { run } from '@clusterfunk/ctl'

/**
 * Runs `funkctl <args>` in this process (the same `run()` the bin uses) and
 * returns what it printed. A non-zero exit is an error: the demo shows
 * what an operator would see, so it must have worked.
 */
export async function funkctl (args: readonly string[]): Promise<string> {
  let out = ''
  let err = ''
  const code = await run(args, { stdout: text => { out += text }, stderr: text => { err += text }, env: {} })
  if (code !== 0) throw new Error(`funkctl ${args.join(' ')} exited ${code}: ${err.trim()}`)
  return out
}
