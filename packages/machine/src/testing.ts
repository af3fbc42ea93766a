// Test aids for applications built on @clusterfunk/machine: run a node as a process, talk to it with redis-cli.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { waitFor } from '@clusterfunk/core'

/** Installs redis-tools when missing (scripts/ensure-redis-tools.sh); throws with the script's message when it cannot. */
export function ensureRedisTools (): void {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'ensure-redis-tools.sh')
  execFileSync('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Runs `redis-cli` with `args` (after `-p port`, and `-a auth` / `--tls --cacert` when given); resolves with its stdout. */
export async function redisCli (port: number, args: string[], options: { auth?: string, cacert?: string, timeoutMs?: number } = {}): Promise<string> {
  const pre = ['-h', '127.0.0.1', '-p', String(port)]
  if (options.auth !== undefined) pre.push('-a', options.auth, '--no-auth-warning')
  if (options.cacert !== undefined) pre.push('--tls', '--cacert', options.cacert)
  return await new Promise((resolve, reject) => {
    execFile('redis-cli', [...pre, ...args], { timeout: options.timeoutMs ?? 10_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`redis-cli ${args.join(' ')}: ${err.message} ${stderr}`))
      else resolve(stdout)
    })
  })
}

/** A node of an application running as its own process. */
export class MachineProcess {
  readonly child: ChildProcess
  stderr = ''
  readonly exited: Promise<number | null>

  /** Starts `node <bin> <args>`. */
  constructor (bin: string, args: string[]) {
    this.child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    this.child.stderr?.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-20_000) })
    this.exited = new Promise(resolve => { this.child.once('exit', (code) => { resolve(code) }) })
  }

  /** kill -9. */
  async kill (): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    await this.exited
  }

  /** SIGTERM, and SIGKILL when it has not exited within `graceMs`. */
  async stop (graceMs = 5000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return await this.exited
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, graceMs)
    const code = await this.exited
    clearTimeout(timer)
    return code
  }
}

/**
 * Waits until `fn` resolves to a value other than false/undefined, checking
 * every 50 ms and retrying when it throws (a member still starting); fails
 * after `limitMs`, naming `what` and the last error.
 */
export async function until<T> (what: string, limitMs: number, fn: () => Promise<T | undefined | false>): Promise<T> {
  let last: unknown
  const attempt = async (): Promise<T | undefined | false> => {
    try { return await fn() } catch (err) { last = err; return undefined }
  }
  try {
    return await waitFor(attempt, { timeoutMs: limitMs, intervalMs: 50, what })
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}${last === undefined ? '' : `: ${String(last)}`}`, { cause: err })
  }
}
