import { expect } from 'chai'
import { InvalidArgumentError, NotLeaderError } from '@clusterfunk/core'
import { MembershipConflictError, UnknownNodeError } from '@clusterfunk/management'
import { ConfigurationChangedError, type MembershipOptions } from '@clusterfunk/raft'
import { NodeCommands, type RunningNode } from '../../src/cluster/commands.js'

/** A leader with voters a and b, non-voter c, whose Raft records the changes asked of it. */
function leaderNode (init: { gossip?: Record<string, { alive: boolean, raftAddress: string | undefined }>, failWith?: Error } = {}): { commands: NodeCommands, calls: Array<[string, string, MembershipOptions]> } {
  const calls: Array<[string, string, MembershipOptions]> = []
  const act = (what: string) => async (id: string, addressOrOptions?: string | MembershipOptions, options?: MembershipOptions): Promise<void> => {
    calls.push([what, id, (typeof addressOrOptions === 'string' ? options : addressOrOptions) ?? {}])
    if (init.failWith !== undefined) throw init.failWith
  }
  const running: RunningNode = {
    raft: {
      addVoter: act('addVoter'),
      addNonVoter: act('addNonVoter'),
      removeServer: act('remove'),
      transferLeadership: async () => 'b',
      stats: () => ({
        configuration: { voters: [{ id: 'a', address: '127.0.0.1:7001' }, { id: 'b', address: '127.0.0.1:7002' }], nonVoters: [{ id: 'c', address: '127.0.0.1:7003' }] },
        configurationIndex: 42
      }) as unknown as ReturnType<RunningNode['raft']['stats']>
    },
    gossip: id => init.gossip?.[id],
    receiveAck: () => true
  }
  const commands = new NodeCommands({
    node: { nodeId: 'a', role: 'Leader', leader: () => 'a', endpoint: () => undefined },
    running: () => running
  })
  return { commands, calls }
}

describe('NodeCommands: the leader owns membership', () => {
  it('adds a node gossip does not know, based on the configuration it checked (prevIndex)', async () => {
    const { commands, calls } = leaderNode()
    await commands.addNode({ id: 'd', address: '127.0.0.1:7004' })
    await commands.addNode({ id: 'e', address: '127.0.0.1:7005', nonVoter: true })
    expect(calls).to.deep.equal([['addVoter', 'd', { prevIndex: 42 }], ['addNonVoter', 'e', { prevIndex: 42 }]])
  })

  it('refuses an invalid id, an id that is already a member (same or another address) and another member\'s address', async () => {
    const { commands, calls } = leaderNode()
    const refused = async (request: { id: string, address: string }): Promise<Error> => {
      try {
        await commands.addNode(request)
      } catch (err) {
        return err as Error
      }
      throw new Error(`added ${request.id}`)
    }
    expect(await refused({ id: 'bad id!', address: '127.0.0.1:9' })).to.be.instanceOf(InvalidArgumentError)
    const same = await refused({ id: 'b', address: '127.0.0.1:7002' })
    expect(same).to.be.instanceOf(MembershipConflictError).with.property('message', 'node b is already a voter at 127.0.0.1:7002')
    const moved = await refused({ id: 'c', address: '127.0.0.1:1' })
    expect(moved.message).to.equal('node c is already a non-voter at 127.0.0.1:7003: remove it first to move it to 127.0.0.1:1')
    const taken = await refused({ id: 'd', address: '127.0.0.1:7001' })
    expect(taken).to.be.instanceOf(MembershipConflictError).with.property('message', '127.0.0.1:7001 is the Raft address of node a, a voter')
    expect(calls).to.deep.equal([])
  })

  it('refuses to add a node gossip knows alive at another Raft address: the leader adds it there itself', async () => {
    const { commands } = leaderNode({ gossip: { d: { alive: true, raftAddress: '127.0.0.1:7004' } } })
    let err: unknown
    try { await commands.addNode({ id: 'd', address: '127.0.0.1:1' }) } catch (e) { err = e }
    expect(err).to.be.instanceOf(MembershipConflictError)
    expect((err as Error).message).to.include('alive in gossip with the Raft address 127.0.0.1:7004')
  })

  it('removes a member that is gone, refuses one alive in gossip (the leader would add it back), an unknown one and itself', async () => {
    const { commands, calls } = leaderNode({ gossip: { b: { alive: true, raftAddress: '127.0.0.1:7002' }, c: { alive: false, raftAddress: '127.0.0.1:7003' } } })
    await commands.removeNode('c')
    expect(calls).to.deep.equal([['remove', 'c', { prevIndex: 42 }]])
    let err: unknown
    try { await commands.removeNode('b') } catch (e) { err = e }
    expect(err).to.be.instanceOf(MembershipConflictError)
    expect((err as Error).message).to.include('node b is alive in gossip')
    try { await commands.removeNode('zz') } catch (e) { err = e }
    expect(err).to.be.instanceOf(UnknownNodeError)
    try { await commands.removeNode('a') } catch (e) { err = e }
    expect(err).to.be.instanceOf(InvalidArgumentError)
    expect(calls).to.have.length(1)
  })

  it('a configuration changed meanwhile fails the change as a conflict that says to look again', async () => {
    const { commands } = leaderNode({ failWith: new ConfigurationChangedError(42, 43) })
    let err: unknown
    try { await commands.addNode({ id: 'd', address: '127.0.0.1:7004' }) } catch (e) { err = e }
    expect(err).to.be.instanceOf(MembershipConflictError)
    expect((err as Error).message).to.include('look again and retry')
  })

  it('a follower answers NotLeaderError', async () => {
    const commands = new NodeCommands({
      node: { nodeId: 'b', role: 'Follower', leader: () => 'a', endpoint: () => '127.0.0.1:9000' },
      running: () => { throw new Error('not asked') }
    })
    let err: unknown
    try { await commands.addNode({ id: 'd', address: '127.0.0.1:7004' }) } catch (e) { err = e }
    expect(err).to.be.instanceOf(NotLeaderError)
  })
})
