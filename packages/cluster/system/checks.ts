import { execFile } from 'node:child_process'

/**
 * Helpers shared by the system-check programs: named checks with a verdict
 * line each, bounded polling, and running a command with a deadline.
 */
/** One line on stdout (these are programs: they report to a terminal or a CI log). */
export function print (line: string): void {
  process.stdout.write(`${line}\n`)
}

export class CheckRun {
  private readonly failed: string[] = []
  private passed = 0

  constructor (private readonly prefix: string) {}

  /** Runs one check: `PASS <name>` when it resolves, `FAIL <name>: <why>` when it throws. */
  async check (name: string, body: () => Promise<string | undefined> | string | undefined): Promise<boolean> {
    const started = performance.now()
    try {
      const note = await body()
      this.passed++
      print(`${this.prefix} PASS ${name}${note === undefined ? '' : ` (${note})`} [${Math.round(performance.now() - started)} ms]`)
      return true
    } catch (err) {
      this.failed.push(name)
      print(`${this.prefix} FAIL ${name}: ${err instanceof Error ? err.message : String(err)}`)
      return false
    }
  }

  /** True when no check failed. */
  get ok (): boolean {
    return this.failed.length === 0
  }

  /** One line with the outcome of every check. */
  summary (): string {
    return this.ok
      ? `${this.prefix} ALL ${this.passed} CHECKS PASSED`
      : `${this.prefix} ${this.failed.length} CHECK(S) FAILED: ${this.failed.join('; ')}`
  }
}

/** Calls `probe` every `intervalMs` until it returns a value other than undefined; throws with `what` after `timeoutMs`. */
export async function poll<T> (what: string, timeoutMs: number, intervalMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (err) {
      last = err
    }
    if (performance.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`)
    }
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}

/** Runs a command to completion (killed after `timeoutMs`) and returns its stdout. */
export async function run (command: string, args: readonly string[], timeoutMs: number): Promise<string> {
  return await new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${command} ${args.join(' ')}: ${err.message} ${stderr.trim()}`))
      else resolve(stdout)
    })
  })
}

/** Throws `message` unless `condition` holds. */
export function must (condition: boolean, message: string): void {
  if (!condition) throw new Error(message)
}
