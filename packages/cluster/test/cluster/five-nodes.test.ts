import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import { freePorts } from '@clusterfunk/core/testing'
import type { ClusterInit } from '../../src/index.js'
import { TEST_SHARDS, TestNodes } from './helpers.js'
import { NodeProcess } from './process.js'

/** How long the nodes get to agree on a map after each change (a loaded 2-core machine takes a few seconds at most). */
const CONVERGE_MS = 30_000
/** How long a node gets to listen, and a process to exit once stopped. */
const READY_MS = 20_000
const EXIT_MS = 15_000

/** What a node process last reported in its `status` lines (see fixtures/node.ts). */
interface Status {
  nodeId: string
  state: string
  role: string
  leader: string | null
  version: number
  members: string[]
  bootstrapped: boolean
}

function statusOf (p: NodeProcess): Status | undefined {
  return p.last('status') as Status | undefined
}

function describeNodes (nodes: readonly NodeProcess[]): string {
  return nodes.map(p => {
    const s = statusOf(p)
    const id = (p.last('ready')?.nodeId as string | undefined) ?? '?'
    const exited = p.exitCode !== undefined ? ` exited ${String(p.exitCode ?? p.signal)}` : ''
    return s === undefined ? `${id}: no status${exited}` : `${id}: ${s.state} ${s.role} leader ${s.leader ?? '-'} map ${s.version} [${s.members.join(',')}]${exited}`
  }).join('; ')
}

/**
 * Waits until every one of `nodes` is Operational on one committed map newer
 * than `after` whose members are exactly `members`, every node names the
 * same leader (one of `members`), and that leader reports the Leader role.
 * Returns the version and the leader.
 */
async function converged (nodes: readonly NodeProcess[], members: readonly string[], after: number): Promise<{ version: number, leader: string }> {
  const want = [...members].sort().join(',')
  try {
    return await waitFor(() => {
      const gone = nodes.find(p => p.exitCode !== undefined)
      if (gone !== undefined) return Promise.reject(new Error(`a node process exited: ${gone.stderr}`))
      const views = nodes.map(statusOf)
      const first = views[0]
      if (first === undefined || first.leader === null || !members.includes(first.leader) || first.version <= after) return false
      const { version, leader } = first
      const agreed = views.every(s => s !== undefined && s.state === 'Operational' && s.version === version && s.leader === leader && s.members.join(',') === want)
      const leading = views.some(s => s?.nodeId === leader && s.role === 'Leader')
      return agreed && leading ? { version, leader } : false
    }, { timeoutMs: CONVERGE_MS, intervalMs: 20, what: `every node Operational on one map newer than ${after} of ${want}, with one leader` })
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; ${describeNodes(nodes)}`, { cause: err })
  }
}

async function nodeIdOf (p: NodeProcess): Promise<string> {
  return (await p.message('ready', READY_MS)).nodeId as string
}

describe('Five cluster nodes in processes of their own on loopback', function () {
  // Every wait below is bounded on its own, so a hang fails at the step that hangs; a run takes 5–25 s on a loaded 2-core machine.
  this.timeout(120_000)
  const t = new TestNodes()
  const processes: NodeProcess[] = []

  afterEach(async () => {
    for (const p of processes) p.kill()
    await Promise.all(processes.map(async p => { await p.exited(5_000) }))
    processes.length = 0
    await t.cleanup()
  })

  it('five nodes lose the leader and a follower to kill -9, the three left reshard, and once both restart from their data directories all five converge again and exit cleanly', async () => {
    const ports = await freePorts(5)
    const inits: ClusterInit[] = []
    for (const port of ports) {
      inits.push({
        name: 'test',
        dataDir: await t.dir(),
        bootstrapExpect: 5,
        // Every other node is a SWIM seed, as with a static seed list.
        join: ports.filter(p => p !== port).map(p => `127.0.0.1:${p}`),
        zeroconf: false,
        swimPort: port,
        swimPreset: 'local',
        shards: TEST_SHARDS
      })
    }
    const start = (init: ClusterInit): NodeProcess => {
      const p = new NodeProcess(init)
      processes.push(p)
      return p
    }

    // Five nodes bootstrap one cluster.
    const nodes = inits.map(start)
    const ids = await Promise.all(nodes.map(nodeIdOf))
    expect(new Set(ids).size).to.equal(5)
    const first = await converged(nodes, ids, 0)

    // kill -9 of the leader and of one follower: three of five voters remain, a quorum.
    const leaderAt = ids.indexOf(first.leader)
    const followerAt = ids.findIndex(id => id !== first.leader)
    const victims = [leaderAt, followerAt]
    for (const i of victims) (nodes[i] as NodeProcess).child.kill('SIGKILL')
    for (const i of victims) {
      const victim = nodes[i] as NodeProcess
      expect(await victim.exited(5_000), 'the killed process ends').to.equal(true)
      expect(victim.signal).to.equal('SIGKILL')
    }
    const survivors = nodes.filter((_, i) => !victims.includes(i))
    const survivorIds = ids.filter((_, i) => !victims.includes(i))
    const without = await converged(survivors, survivorIds, first.version)
    expect(without.leader).to.not.equal(first.leader)

    // Both restart from their data directories on the same SWIM ports.
    const restarted = victims.map(i => start(inits[i] as ClusterInit))
    expect(await Promise.all(restarted.map(nodeIdOf))).to.deep.equal(victims.map(i => ids[i]))
    const all = nodes.map((p, i) => victims.includes(i) ? restarted[victims.indexOf(i)] as NodeProcess : p)
    const again = await converged(all, ids, without.version)
    expect(again.leader).to.be.oneOf(ids)

    // One bootstrap in the whole run: one of the first five, and never a restarted node.
    const bootstrappers = processes.filter(p => p.messages.some(m => m.event === 'status' && m.bootstrapped === true))
    expect(bootstrappers).to.have.length(1)
    expect(nodes).to.include(bootstrappers[0])
    for (const p of restarted) expect(statusOf(p)?.bootstrapped).to.equal(false)

    // A graceful stop of all five at once: each process exits on its own.
    for (const p of all) p.stop()
    const ended = await Promise.all(all.map(async p => await p.exited(EXIT_MS)))
    const open = all.map(p => p.last('stopped')?.resources ?? 'no stopped line')
    expect(ended, `still running ${EXIT_MS} ms after stop (open when stop() resolved: ${JSON.stringify(open)})`).to.deep.equal([true, true, true, true, true])
    expect(all.map(p => p.exitCode)).to.deep.equal([0, 0, 0, 0, 0])
    expect(all.map(p => p.last('stopped')?.event)).to.deep.equal(['stopped', 'stopped', 'stopped', 'stopped', 'stopped'])
  })
})
