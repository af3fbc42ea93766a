import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ManagementServerInit } from '@clusterfunk/management'
import { MemoryCluster, serveMemoryCluster } from '@clusterfunk/management/testing'

/** dist/src/bin/funkctl.js, next to this file's dist/test. */
export const FUNKCTL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'bin', 'funkctl.js')

/** A cluster of a (leader), b, c with management servers on 127.0.0.1. */
export interface TestCluster {
  cluster: MemoryCluster
  endpoint: (id: string) => string
  stop: () => Promise<void>
}

export async function startCluster (init: ManagementServerInit = {}): Promise<TestCluster> {
  const cluster = new MemoryCluster({
    name: 'orders',
    shardCount: 1000,
    createdAt: Date.UTC(2026, 10, 1, 12, 0, 0),
    nodes: ['a', 'b', 'c'].map((id, i) => ({ id, endpoints: { http: `http://10.0.0.${i + 1}:8080` } }))
  })
  const { servers, stop } = await serveMemoryCluster(cluster, ['a', 'b', 'c'], init)
  return {
    cluster,
    endpoint: (id) => {
      const server = servers.get(id)
      if (server === undefined) throw new Error(`no node ${id}`)
      return server.endpoint()
    },
    stop
  }
}

/** What a funkctl process did. */
export interface Outcome { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/** A running funkctl process. */
export interface Running {
  child: ReturnType<typeof spawn>
  stdout: () => string
  done: Promise<Outcome>
}

/** Starts `node funkctl.js ...args`; it is killed if it runs past `timeoutMs`. */
export function start (args: readonly string[], env: Record<string, string> = {}, timeoutMs = 20_000): Running {
  const child = spawn(process.execPath, [FUNKCTL, ...args], {
    env: { PATH: process.env.PATH ?? '', CLUSTERFUNK_LOG: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
  const done = new Promise<Outcome>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
  return { child, stdout: () => stdout, done }
}

/** Runs funkctl to the end. */
export async function funkctl (args: readonly string[], env: Record<string, string> = {}): Promise<Outcome> {
  return await start(args, env).done
}

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
export async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>(resolve => server.close(() => { resolve() }))
  return port
}
