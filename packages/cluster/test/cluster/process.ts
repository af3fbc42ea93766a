import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitFor } from '@clusterfunk/core'
import type { ClusterInit } from '../../src/index.js'

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'node.js')

/** A cluster node running `fixtures/node.js` in a child process. */
export class NodeProcess {
  readonly child: ChildProcess
  readonly messages: Array<Record<string, unknown>> = []
  exitCode: number | null | undefined
  signal: NodeJS.Signals | null | undefined
  stderr = ''

  constructor (init: ClusterInit) {
    this.child = spawn(process.execPath, [FIXTURE, JSON.stringify(init)], { stdio: ['pipe', 'pipe', 'pipe'] })
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', line => {
      try { this.messages.push(JSON.parse(line) as Record<string, unknown>) } catch { this.stderr += `stdout: ${line}\n` }
    })
    this.child.stderr?.on('data', (chunk: Buffer) => { this.stderr += chunk.toString() })
    this.child.on('exit', (code, signal) => { this.exitCode = code; this.signal = signal })
  }

  /** The first message of kind `event`, waited for. */
  async message (event: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    return await waitFor(() => this.messages.find(m => m.event === event) ?? (this.exitCode !== undefined ? Promise.reject(new Error(`the node exited: ${this.stderr}`)) : undefined),
      { timeoutMs, what: `the node process to say ${event}` })
  }

  /** The latest message of kind `event`, if any. */
  last (event: string): Record<string, unknown> | undefined {
    return this.messages.findLast(m => m.event === event)
  }

  /** Asks the node to stop (it should then exit on its own). */
  stop (): void {
    this.child.stdin?.write('stop\n')
  }

  /** Waits for the process to end; kills it with SIGKILL when it does not within `timeoutMs`, and reports whether it ended by itself. */
  async exited (timeoutMs: number): Promise<boolean> {
    try {
      await waitFor(() => this.exitCode !== undefined, { timeoutMs, what: 'the node process to exit' })
      return true
    } catch {
      this.kill()
      await waitFor(() => this.exitCode !== undefined, { timeoutMs: 5_000, what: 'the killed process to end' })
      return false
    }
  }

  /** SIGKILL, unless it already ended. */
  kill (): void {
    if (this.exitCode === undefined) this.child.kill('SIGKILL')
  }
}

