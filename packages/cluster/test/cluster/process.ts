import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket, type Socket } from 'node:dgram'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
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

/** A TCP port free on 127.0.0.1 right now (for a node that must come back on the same port). */
export async function freePort (): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : 0) })
    })
  })
}

/** The first port of the kernel's ephemeral range, where port-0 binds land (Linux; 32 768 when unknown). */
async function ephemeralLow (): Promise<number> {
  try {
    const low = Number((await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/)[0])
    return Number.isInteger(low) && low > 11_000 ? low : 32_768
  } catch {
    return 32_768
  }
}

/**
 * `count` distinct ports free on 127.0.0.1 for both TCP and UDP (a SWIM
 * port is both), each held open until all are found. They are taken below
 * the kernel's ephemeral range, so no port-0 bind — another part of the
 * same node, another test on the machine — can take one before the node
 * binds it, or while a killed node is down before its restart.
 */
export async function freePorts (count: number): Promise<number[]> {
  const high = await ephemeralLow()
  const low = 10_000
  const held: Array<{ port: number, tcp: Server, udp: Socket }> = []
  try {
    for (let attempt = 0; held.length < count && attempt < 100 * count; attempt++) {
      const port = low + Math.floor(Math.random() * (high - low))
      if (held.some(h => h.port === port)) continue
      const tcp = createServer()
      const tcpOk = await new Promise<boolean>(resolve => { tcp.once('error', () => { resolve(false) }); tcp.listen(port, '127.0.0.1', () => { resolve(true) }) })
      if (!tcpOk) continue
      const udp = createSocket('udp4')
      const udpOk = await new Promise<boolean>(resolve => { udp.once('error', () => { resolve(false) }); udp.bind(port, '127.0.0.1', () => { resolve(true) }) })
      if (!udpOk) {
        try { udp.close() } catch { /* already closed by the failed bind */ }
        await new Promise<void>(resolve => { tcp.close(() => { resolve() }) })
        continue
      }
      held.push({ port, tcp, udp })
    }
    if (held.length < count) throw new Error(`found only ${held.length} of ${count} free ports below ${high}`)
    return held.map(h => h.port)
  } finally {
    await Promise.all(held.map(async h => {
      await new Promise<void>(resolve => { h.udp.close(() => { resolve() }) })
      await new Promise<void>(resolve => { h.tcp.close(() => { resolve() }) })
    }))
  }
}
