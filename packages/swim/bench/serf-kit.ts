import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { createSocket } from 'node:dgram'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { waitFor } from '@clusterfunk/core'

/**
 * Serf agents on 127.0.0.1 for side-by-side figures: `n` `serf agent`
 * processes on distinct ports with the `local` profile (memberlist's
 * DefaultLocalConfig, the preset our side uses too) and an event handler
 * that appends bash's `$EPOCHREALTIME` (wall-clock µs, no process spawned
 * for the clock) and the node's name to a log for every user event.
 */

const run = promisify(execFile)

/** True when a `serf` binary is on the PATH; otherwise tries Debian's package (`apt-get install -y serf`, as root). */
export function ensureSerf (): boolean {
  if (spawnSync('serf', ['version'], { stdio: 'ignore' }).status === 0) return true
  process.stderr.write('  serf not found: apt-get update && apt-get install -y serf\n')
  spawnSync('sh', ['-c', 'apt-get update >/dev/null 2>&1; apt-get install -y serf >/dev/null 2>&1'], { stdio: 'ignore' })
  return spawnSync('serf', ['version'], { stdio: 'ignore' }).status === 0
}

/** A port free for both TCP and UDP on 127.0.0.1 (Serf binds both). */
async function freePort (): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer()
      s.once('error', reject)
      s.listen(0, '127.0.0.1', () => { const p = (s.address() as AddressInfo).port; s.close(() => { resolve(p) }) })
    })
    const udpFree = await new Promise<boolean>(resolve => {
      const u = createSocket('udp4')
      u.once('error', () => { u.close(); resolve(false) })
      u.bind(port, '127.0.0.1', () => { u.close(); resolve(true) })
    })
    if (udpFree) return port
  }
}

export interface SerfAgent {
  name: string
  bind: string
  rpc: string
  child: ChildProcess
}

export class SerfCluster {
  readonly agents: SerfAgent[] = []
  private constructor (readonly dir: string, readonly log: string) {}

  /** Starts `n` agents joined through the first and waits until the first lists all `n` alive. */
  static async start (n: number): Promise<SerfCluster> {
    const dir = await mkdtemp(path.join(tmpdir(), 'clusterfunk-serf-'))
    const log = path.join(dir, 'events.log')
    const handler = path.join(dir, 'handler.sh')
    await writeFile(handler, `#!/bin/bash\nread -r payload\necho "$EPOCHREALTIME $SERF_SELF_NAME $payload" >> ${log}\n`)
    await chmod(handler, 0o755)
    const c = new SerfCluster(dir, log)
    try {
      for (let i = 0; i < n; i++) {
        const bind = `127.0.0.1:${await freePort()}`
        const rpc = `127.0.0.1:${await freePort()}`
        const first = c.agents[0]
        const args = ['agent', `-node=s${i}`, `-bind=${bind}`, `-rpc-addr=${rpc}`, '-profile=local', '-log-level=err', `-event-handler=user:bench=${handler}`,
          ...(first === undefined ? [] : [`-join=${first.bind}`])]
        const child = spawn('serf', args, { stdio: 'ignore' })
        c.agents.push({ name: `s${i}`, bind, rpc, child })
        // The first agent must listen before the others join through it.
        if (i === 0) await waitFor(async () => (await c.aliveCount()) >= 1, { timeoutMs: 15_000, intervalMs: 50, what: 'the first serf agent' })
      }
      await waitFor(async () => (await c.aliveCount()) === n, { timeoutMs: 60_000, intervalMs: 100, what: `${n} serf agents alive` })
      return c
    } catch (err) {
      await c.stop()
      throw err
    }
  }

  /** Members the first agent lists alive. */
  async aliveCount (): Promise<number> {
    const first = this.agents[0]
    if (first === undefined) return 0
    try {
      const { stdout } = await run('serf', ['members', `-rpc-addr=${first.rpc}`, '-status=alive'])
      return stdout.split('\n').filter(l => l.trim() !== '').length
    } catch {
      return 0
    }
  }

  /** Fires user event `bench` with `payload` through agent `from` (`serf event -coalesce=false`). */
  async fire (from: number, payload: string): Promise<void> {
    const agent = this.agents[from]
    if (agent === undefined) throw new RangeError(`no agent ${from}`)
    await run('serf', ['event', `-rpc-addr=${agent.rpc}`, '-coalesce=false', 'bench', payload])
  }

  /** Arrival times (ms, wall clock) of the event with `payload` on each agent, once all `n` handlers ran. */
  async arrivals (payload: string, n: number, timeoutMs = 30_000): Promise<number[]> {
    return await waitFor(async () => {
      const text = await readFile(this.log, 'utf8').catch(() => undefined)
      if (text === undefined) return undefined
      const times = new Map<string, number>()
      for (const line of text.split('\n')) {
        const [t, name, p] = line.split(' ')
        if (p === payload && name !== undefined && t !== undefined && !times.has(name)) times.set(name, Number(t) * 1000)
      }
      return times.size >= n ? [...times.values()] : undefined
    }, { timeoutMs, intervalMs: 5, what: `serf event ${payload} on ${n} agents` })
  }

  async stop (): Promise<void> {
    await Promise.all(this.agents.map(async a => {
      if (a.child.exitCode !== null || a.child.signalCode !== null) return
      const exited = new Promise(resolve => { a.child.once('exit', resolve) })
      a.child.kill('SIGKILL')
      await exited
    }))
    await rm(this.dir, { recursive: true, force: true })
  }
}
