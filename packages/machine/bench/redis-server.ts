/** One durable redis-server (appendonly, fsync on every write) on 127.0.0.1, its data in a directory. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir } from 'node:fs/promises'

export class DurableRedis {
  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  stderr = ''

  constructor (readonly port: number, private readonly dir: string) {}

  async start (): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    const child = spawn('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
      '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--maxclients', '10000', '--loglevel', 'warning'
    ], { stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr?.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-8000) })
    this.child = child
    this.exited = new Promise(resolve => { child.once('exit', () => { resolve() }) })
  }

  async stop (graceMs = 5000): Promise<void> {
    const child = this.child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => { child.kill('SIGKILL') }, graceMs)
    await this.exited
    clearTimeout(timer)
  }
}
