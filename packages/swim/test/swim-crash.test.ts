import { expect } from 'chai'
import { waitFor } from '@clusterfunk/core'
import type { Swim } from '../src/index.js'
import { killMember, spawnMember, type MemberProcess } from './fixtures/spawn.js'
import { FAST, startCluster, stopAll } from './swim-helpers.js'

describe('Swim with a member in another process', () => {
  let nodes: Swim[] = []
  const children: MemberProcess[] = []
  afterEach(async () => {
    await Promise.all(children.splice(0).map(killMember))
    await stopAll(nodes)
    nodes = []
  })

  it('a member killed with SIGKILL is marked failed by every other member', async () => {
    nodes = await startCluster(7, 'k')
    const victim = await spawnMember({ id: 'victim', join: (nodes[0] as Swim).address(), config: FAST })
    children.push(victim)
    await waitFor(() => nodes.every(n => n.member('victim')?.status === 'alive'), { timeoutMs: 10_000, what: 'the victim to be seen' })
    await waitFor(() => victim.events.filter(e => e.event === 'member:join').length === 7, { timeoutMs: 10_000, what: 'the victim to see everyone' })

    process.kill(victim.pid, 'SIGKILL')
    await waitFor(() => nodes.every(n => n.member('victim')?.status === 'dead'), { timeoutMs: 20_000, what: 'every survivor to mark the victim failed' })
    for (const n of nodes) expect(n.members().map(m => m.id)).to.not.include('victim')
  })

  it('a process that starts, joins, leaves and stops exits on its own', async () => {
    nodes = await startCluster(2, 'x')
    const member = await spawnMember({ id: 'exiter', join: (nodes[0] as Swim).address(), config: FAST, stopAfterJoin: true })
    children.push(member)
    await waitFor(() => member.child.exitCode !== null, { timeoutMs: 15_000, what: 'the process to exit by itself' })
    expect(member.child.exitCode).to.equal(0)
    expect(member.lines).to.deep.include({ stopped: true })
  })
})
