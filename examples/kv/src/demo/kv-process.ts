import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitFor } from '@clusterfunk/core'

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'kv-server.js')
/** kv-server bundled into one file by `npm run build` (scripts/bundle.mjs): the same program, loaded in a fraction of the time. */
export const KV_SERVER_BUNDLE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'kv-server.bundle.mjs')

/** What a node last said about itself, and when the demo heard it (performance.now()). */
export interface NodeSnapshot {
  t: number
  state: string
  role: string
  version: number
  owners: string[]
}

/** The ports of one demo node; they stay the same across a restart. */
export interface NodePorts {
  http: number
  swim: number
  raft: number
  liveness: number
  mgmt: number
  /** Prometheus /metrics, when the node serves it. */
  metrics?: number
}

/** Where and how a node runs, when not on 127.0.0.1 in this network namespace. */
export interface KvLaunch {
  /** The address the node binds and advertises (`--host`). Default 127.0.0.1. */
  host?: string
  /** A command the node runs under, such as `['ip', 'netns', 'exec', 'ns1']`; it must exec the node in place, so the pid is the node's. */
  prefix?: readonly string[]
  /** Run the one-file bundle of kv-server (`KV_SERVER_BUNDLE`) instead of its modules. */
  bundled?: boolean
}

/**
 * A kv-server child process, followed through its JSON lines: every line
 * updates a snapshot, and the snapshots are kept so the demo can tell when
 * exactly a node reached a state.
 */
export class KvProcess {
  readonly child: ChildProcess
  readonly history: NodeSnapshot[] = []
  ready: Record<string, unknown> | undefined
  /** When the process was spawned, when it printed its first line (its modules loaded) and when it was ready (performance.now()). */
  readonly spawnedAt = performance.now()
  startingAt: number | undefined
  readyAt: number | undefined
  stopped = false
  exit: { code: number | null, signal: NodeJS.Signals | null } | undefined
  stderr = ''
  /** Every Node deprecation code the process printed (DEP0123, ...), kept though `stderr` keeps only its tail. */
  readonly deprecations = new Set<string>()
  private snapshot: NodeSnapshot = { t: 0, state: 'Starting', role: 'NonMember', version: 0, owners: [] }

  /** `extraArgs`: more kv-server flags (security, limits), kept for a restart by whoever holds them. */
  readonly host: string

  constructor (readonly id: string, readonly ports: NodePorts, dataDir: string, join: readonly string[], bootstrapExpect: number, readonly extraArgs: readonly string[] = [], launch: KvLaunch = {}) {
    this.host = launch.host ?? '127.0.0.1'
    const args = [
      launch.bundled === true ? KV_SERVER_BUNDLE : SERVER, '--id', id, '--data-dir', dataDir, ...(launch.host === undefined ? [] : ['--host', launch.host]),
      '--http-port', String(ports.http), '--swim-port', String(ports.swim), '--raft-port', String(ports.raft),
      '--liveness-port', String(ports.liveness), '--mgmt-port', String(ports.mgmt),
      '--bootstrap-expect', String(bootstrapExpect), ...join.flatMap(j => ['--join', j]),
      ...(ports.metrics === undefined ? [] : ['--metrics-port', String(ports.metrics)]),
      ...extraArgs
    ]
    const [command, ...prefixArgs] = [...(launch.prefix ?? []), process.execPath]
    this.child = spawn(command as string, [...prefixArgs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', line => { this.onLine(line) })
    this.child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString()
      for (const m of text.matchAll(/\[(DEP\d{4})\]/g)) this.deprecations.add(m[1] as string)
      this.stderr = (this.stderr + text).slice(-4000)
    })
    this.child.on('exit', (code, signal) => { this.exit = { code, signal } })
  }

  get pid (): number { return this.child.pid ?? -1 }
  get now (): NodeSnapshot { return this.snapshot }
  get mgmt (): string { return `${this.host}:${this.ports.mgmt}` }
  get http (): string { return `http://${this.host}:${this.ports.http}` }

  /** Called with every JSON line the node prints, when it arrives. */
  onEvent: ((event: Record<string, unknown>) => void) | undefined

  private onLine (line: string): void {
    let m: Record<string, unknown>
    try { m = JSON.parse(line) as Record<string, unknown> } catch { return }
    if (m.event === 'starting') this.startingAt ??= performance.now()
    if (m.event === 'ready') {
      this.ready = m
      this.readyAt ??= performance.now()
    }
    if (m.event === 'stopped') this.stopped = true
    const next = { ...this.snapshot, t: performance.now() }
    if (typeof m.state === 'string') next.state = m.state
    if (typeof m.role === 'string') next.role = m.role
    if (typeof m.version === 'number') next.version = m.version
    if (Array.isArray(m.owners)) next.owners = m.owners as string[]
    this.snapshot = next
    this.history.push(next)
    this.onEvent?.(m)
  }

  /** Waits for the ready line; fails at once if the process ends first. */
  async whenReady (timeoutMs: number): Promise<void> {
    await waitFor(() => this.ready ?? this.failIfExited(), { timeoutMs, what: `${this.id} to start` })
  }

  /** Rejects (for waitFor) when the process has ended, with what it said on stderr. */
  failIfExited (): undefined | Promise<never> {
    if (this.exit === undefined) return undefined
    return Promise.reject(new Error(`${this.id} (pid ${this.pid}) exited (${this.exit.signal ?? `code ${this.exit.code}`}): ${this.stderr.trim() || 'no stderr'}`))
  }

  kill9 (): void {
    if (this.exit === undefined) this.child.kill('SIGKILL')
  }

  /** SIGTERM, then waits for the process to exit on its own; SIGKILL after `timeoutMs`. Returns whether it exited by itself. */
  async terminate (timeoutMs: number): Promise<boolean> {
    if (this.exit !== undefined) return true
    this.child.kill('SIGTERM')
    try {
      await waitFor(() => this.exit !== undefined, { timeoutMs, what: `${this.id} to exit` })
      return true
    } catch {
      this.kill9()
      await waitFor(() => this.exit !== undefined, { timeoutMs: 5_000, what: `${this.id} to die` })
      return false
    }
  }
}
