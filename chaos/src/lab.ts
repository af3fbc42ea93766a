import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** One node's place in the lab: its namespace and address. */
export interface LabHost {
  ns: string
  ip: string
}

/** What the kernel here lets the lab do beyond namespaces and routes. */
export interface LabAbilities {
  /** Random packet loss (iptables' statistic match). */
  loss: boolean
  /** Added delay (tc netem); many sandboxed kernels have no sch_netem. */
  delay: boolean
}

async function ip (...args: string[]): Promise<void> {
  await run('ip', args)
}

async function inNs (ns: string, ...args: string[]): Promise<void> {
  await run('ip', ['netns', 'exec', ns, ...args])
}

async function works (fn: () => Promise<void>): Promise<boolean> {
  try { await fn(); return true } catch { return false }
}

/**
 * Network namespaces for a chaos run: a hub namespace holding a bridge (and
 * the harness, 10.77.0.1), and one namespace a node, joined to the bridge by
 * a veth pair, at 10.77.0.(10+i). Nothing is routed beyond the bridge: no
 * namespace has a default route, and the host's own namespace is not
 * connected. Partitions are blackhole routes on both sides; loss is an
 * iptables rule in the node's namespace; delay is netem where the kernel
 * has it. `destroy()` deletes every namespace, which takes the links along.
 */
export class NetLab {
  readonly hub: string
  readonly hubIp = '10.77.0.1'
  readonly hosts: LabHost[] = []
  abilities: LabAbilities = { loss: false, delay: false }
  private readonly cuts = new Set<string>()

  constructor (readonly prefix: string, readonly size: number) {
    this.hub = `${prefix}-hub`
    for (let i = 0; i < size; i++) this.hosts.push({ ns: `${prefix}-n${i + 1}`, ip: `10.77.0.${10 + i + 1}` })
  }

  async create (): Promise<void> {
    await this.destroy()
    await ip('netns', 'add', this.hub)
    await ip('-n', this.hub, 'link', 'set', 'lo', 'up')
    await ip('-n', this.hub, 'link', 'add', 'br0', 'type', 'bridge')
    await ip('-n', this.hub, 'addr', 'add', `${this.hubIp}/24`, 'dev', 'br0')
    await ip('-n', this.hub, 'link', 'set', 'br0', 'up')
    for (const [i, h] of this.hosts.entries()) {
      const veth = `${this.prefix}v${i + 1}`
      await ip('netns', 'add', h.ns)
      await ip('-n', h.ns, 'link', 'set', 'lo', 'up')
      await ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns)
      await ip('link', 'set', veth, 'netns', this.hub)
      await ip('-n', this.hub, 'link', 'set', veth, 'master', 'br0', 'up')
      await ip('-n', h.ns, 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0')
      await ip('-n', h.ns, 'link', 'set', 'eth0', 'up')
    }
  }

  /** Finds out what the kernel lets the lab do (loss, delay), trying each once on the first host. */
  async probe (): Promise<void> {
    const first = this.hosts[0] as LabHost
    this.abilities = {
      loss: await works(async () => {
        await inNs(first.ns, 'iptables', '-A', 'INPUT', '-m', 'statistic', '--mode', 'random', '--probability', '0.01', '-j', 'DROP')
        await inNs(first.ns, 'iptables', '-F', 'INPUT')
      }),
      delay: await works(async () => {
        await inNs(first.ns, 'tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', 'delay', '1ms')
        await inNs(first.ns, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root')
      })
    }
  }

  /** Deletes every namespace of this lab (also those a crashed earlier run left). */
  async destroy (): Promise<void> {
    const { stdout } = await run('ip', ['netns', 'list'])
    const mine = stdout.split('\n').map(l => l.split(' ')[0] ?? '').filter(n => n === this.hub || n.startsWith(`${this.prefix}-n`))
    for (const ns of mine) await works(async () => { await ip('netns', 'del', ns) })
    this.cuts.clear()
  }

  /** The command prefix that runs a program in host `i`'s namespace (exec'd in place: the pid is the program's). */
  prefixFor (i: number): string[] {
    return ['ip', 'netns', 'exec', (this.hosts[i] as LabHost).ns]
  }

  /** Cuts every path between the two sides, both ways. */
  async partition (side: readonly number[], other: readonly number[]): Promise<void> {
    for (const a of side) {
      for (const b of other) {
        await this.cut(a, b)
        await this.cut(b, a)
      }
    }
  }

  /** Restores every path cut by `partition`. */
  async heal (): Promise<void> {
    for (const key of [...this.cuts]) {
      const [from, to] = key.split('>').map(Number) as [number, number]
      await works(async () => { await ip('-n', (this.hosts[from] as LabHost).ns, 'route', 'del', 'blackhole', `${(this.hosts[to] as LabHost).ip}/32`) })
      this.cuts.delete(key)
    }
  }

  /** Drops `probability` of the packets host `i` receives (needs `abilities.loss`). */
  async loss (i: number, probability: number): Promise<void> {
    await inNs((this.hosts[i] as LabHost).ns, 'iptables', '-A', 'INPUT', '-m', 'statistic', '--mode', 'random', '--probability', probability.toFixed(3), '-j', 'DROP')
  }

  /** Delays every packet host `i` sends by `ms` (needs `abilities.delay`). */
  async delay (i: number, ms: number): Promise<void> {
    await inNs((this.hosts[i] as LabHost).ns, 'tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', 'delay', `${ms}ms`)
  }

  /** Removes host `i`'s loss and delay. */
  async clear (i: number): Promise<void> {
    const ns = (this.hosts[i] as LabHost).ns
    await works(async () => { await inNs(ns, 'iptables', '-F', 'INPUT') })
    await works(async () => { await inNs(ns, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root') })
  }

  private async cut (from: number, to: number): Promise<void> {
    const key = `${from}>${to}`
    if (this.cuts.has(key)) return
    await ip('-n', (this.hosts[from] as LabHost).ns, 'route', 'add', 'blackhole', `${(this.hosts[to] as LabHost).ip}/32`)
    this.cuts.add(key)
  }
}
