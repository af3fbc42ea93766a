/** Three members of the benchmark's KV application as processes (fsync on, loopback), with kill -9 and restart. */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { MachineProcess, redisCli, until } from '../src/testing.js'
import { RespClient } from '../src/resp-client.js'

const APP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kv-app.js')

export class MachineCluster {
  readonly procs: Array<MachineProcess | undefined> = [undefined, undefined, undefined]

  /** `ports`: three client ports, then three Raft ports. */
  constructor (private readonly ports: readonly number[], private readonly dir: string, readonly preset: 'default' | 'fast') {}

  port (i: number): number { return this.ports[i] as number }

  private spawn (i: number): void {
    const args = ['-n', String(i + 1), '-a', `127.0.0.1:${this.port(i)}`, '--raft-port', String(this.ports[i + 3]), '-d', this.dir, '--preset', this.preset, '-l', 'warn']
    if (i > 0) args.push('-j', `127.0.0.1:${this.port(0)}`)
    this.procs[i] = new MachineProcess(APP, args)
  }

  /** Starts member 1, which bootstraps, then 2 and 3, which join; resolves when all three are listed. */
  async start (): Promise<void> {
    this.spawn(0)
    await until('the first member leads', 60_000, async () => (await redisCli(this.port(0), ['RAFT', 'LEADER'])).trim() === `127.0.0.1:${this.port(0)}`)
    this.spawn(1)
    this.spawn(2)
    await until('three members', 60_000, async () => {
      const list = await redisCli(this.port(0), ['RAFT', 'SERVER', 'LIST'])
      return [0, 1, 2].every(i => list.includes(`127.0.0.1:${this.port(i)}\n`))
    })
  }

  /** The member that leads now, asked through the running ones. */
  async leader (): Promise<number> {
    return await until('a leader', 30_000, async () => {
      for (let i = 0; i < 3; i++) {
        if (this.procs[i] === undefined) continue
        const address = (await redisCli(this.port(i), ['RAFT', 'LEADER'], { timeoutMs: 2000 }).catch(() => '')).trim()
        const at = [0, 1, 2].find(j => address === `127.0.0.1:${this.port(j)}`)
        if (at !== undefined && this.procs[at] !== undefined) return at
      }
      return undefined
    })
  }

  /**
   * kill -9 of the leader, then SETs through a client that follows the
   * cluster (it sends to a survivor, which forwards to the leader it knows
   * or waits for one; a failed call moves to the next survivor) until one
   * succeeds; ms from the kill to that reply. Then the member is started
   * again over its data and the cluster waits for it to serve a
   * linearizable read.
   */
  async failover (): Promise<number> {
    const victim = await this.leader()
    const survivors = [0, 1, 2].filter(i => i !== victim)
    const clients = survivors.map(i => new RespClient({ address: `127.0.0.1:${this.port(i)}`, timeoutMs: 15_000 }))
    try {
      const killed = performance.now()
      await this.procs[victim]?.kill()
      this.procs[victim] = undefined
      const took = await until('a SET after the leader was killed', 30_000, async () => {
        for (const c of clients) {
          const reply = await c.call(['SET', 'failover', 'x']).catch(() => undefined)
          if (reply?.type === 'simple' && reply.value === 'OK') return performance.now() - killed
        }
        return undefined
      })
      this.restart(victim)
      await until('the restarted member serves', 60_000, async () => (await redisCli(this.port(victim), ['GET', 'failover'], { timeoutMs: 5000 })).trim() === 'x')
      return took
    } finally {
      for (const c of clients) c.close()
    }
  }

  private restart (i: number): void {
    this.spawn(i)
  }

  async stop (): Promise<void> {
    await Promise.all(this.procs.map(async p => await p?.stop()))
  }
}
