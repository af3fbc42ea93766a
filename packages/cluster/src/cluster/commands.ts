import { InvalidArgumentError, throwIfAborted, type AbortOptions } from '@clusterfunk/core'
import { isValidNodeId, MembershipConflictError, NODE_ID_RULE, parseHostPort, UnknownNodeError, type AddNodeRequest, type ClusterCommands } from '@clusterfunk/management'
import { ConfigurationChangedError, type Raft } from '@clusterfunk/raft'
import { notLeader, type ReadableNode } from './read-model.js'

/** What the commands act on in a running node. */
export interface RunningNode {
  raft: Pick<Raft<void>, 'addVoter' | 'addNonVoter' | 'removeServer' | 'transferLeadership' | 'stats'>
  /** What SWIM says of a member, when it knows it: alive or not, and the Raft address it publishes. */
  gossip: (id: string) => { alive: boolean, raftAddress: string | undefined } | undefined
  /** Feeds an ack to the coordinator; false when it does not lead. */
  receiveAck: (nodeId: string, version: number) => boolean
}

/** Where the commands find the node: its read-only face, and its running parts (NotStartedError when not started). */
export interface CommandTarget {
  node: Pick<ReadableNode, 'nodeId' | 'role' | 'leader' | 'endpoint'>
  running: () => RunningNode
}

/**
 * The management API's commands on a `Cluster` node: add, remove, step
 * down and shard-map acks, all the leader's; any other node answers
 * `NotLeaderError` naming the leader and its management endpoint.
 */
export class NodeCommands implements ClusterCommands {
  private readonly target: CommandTarget

  constructor (target: CommandTarget) {
    this.target = target
  }

  /**
   * Adds a member the leader cannot find through gossip (one that does not
   * run SWIM yet, say): the leader owns membership, so the change is checked
   * against the cluster as it is and refused when it conflicts — an id that
   * is already a member (at any address: remove it first to move it), an
   * address that is another member's, a node gossip knows alive at another
   * Raft address (the leader adds it there itself). The change carries the
   * configuration index it was checked against, so a change made meanwhile
   * (by the leader following gossip, or another operator) fails it at once.
   */
  async addNode (request: AddNodeRequest, options: AbortOptions = {}): Promise<void> {
    throwIfAborted(options.signal)
    this.requireLeader()
    const id = request.id
    if (!isValidNodeId(id)) throw new InvalidArgumentError(`a node id must be ${NODE_ID_RULE}`)
    if (parseHostPort(request.address) === undefined) throw new InvalidArgumentError(`"${request.address}" is not host:port`)
    const node = this.target.running()
    const { configuration, configurationIndex } = node.raft.stats()
    const voters = new Set(configuration.voters.map(m => m.id))
    for (const m of [...configuration.voters, ...configuration.nonVoters]) {
      const suffrage = voters.has(m.id) ? 'voter' : 'non-voter'
      if (m.id === id) throw new MembershipConflictError(`node ${id} is already a ${suffrage} at ${m.address}${m.address === request.address ? '' : `: remove it first to move it to ${request.address}`}`)
      if (m.address === request.address) throw new MembershipConflictError(`${request.address} is the Raft address of node ${m.id}, a ${suffrage}`)
    }
    const seen = node.gossip(id)
    if (seen?.alive === true && seen.raftAddress !== undefined && seen.raftAddress !== request.address) {
      throw new MembershipConflictError(`node ${id} is alive in gossip with the Raft address ${seen.raftAddress}: the leader adds it there itself`)
    }
    const opts = { prevIndex: configurationIndex, ...(options.signal === undefined ? {} : { signal: options.signal }) }
    await conflictOnChange(async () => {
      if (request.nonVoter === true) await node.raft.addNonVoter(id, request.address, opts)
      else await node.raft.addVoter(id, request.address, opts)
    })
  }

  /**
   * Removes a member that is gone. A node alive in gossip is refused: the
   * leader, which follows gossip, would add it straight back — stop the node
   * instead (it leaves gracefully and the leader removes it), or remove it
   * once it has failed. The leader cannot remove itself: step down first.
   */
  async removeNode (id: string, options: AbortOptions = {}): Promise<void> {
    throwIfAborted(options.signal)
    this.requireLeader()
    const node = this.target.running()
    const { configuration, configurationIndex } = node.raft.stats()
    if (![...configuration.voters, ...configuration.nonVoters].some(m => m.id === id)) throw new UnknownNodeError(id)
    if (id === this.target.node.nodeId) throw new InvalidArgumentError('the leader cannot remove itself: step down first')
    if (node.gossip(id)?.alive === true) {
      throw new MembershipConflictError(`node ${id} is alive in gossip: the leader would add it back. Stop it (it leaves gracefully and is removed), or remove it once it has failed`)
    }
    const opts = { prevIndex: configurationIndex, ...(options.signal === undefined ? {} : { signal: options.signal }) }
    await conflictOnChange(async () => { await node.raft.removeServer(id, opts) })
  }

  async stepDown (options: AbortOptions = {}): Promise<void> {
    throwIfAborted(options.signal)
    this.requireLeader()
    await this.target.running().raft.transferLeadership(undefined, options.signal === undefined ? {} : { signal: options.signal })
  }

  async ackShardMap (nodeId: string, version: number): Promise<void> {
    if (nodeId === '' || !Number.isSafeInteger(version) || version < 1) throw new InvalidArgumentError('an ack needs a node id and a map version above 0')
    if (!this.target.running().receiveAck(nodeId, version)) throw notLeader(this.target.node)
  }

  private requireLeader (): void {
    if (this.target.node.role !== 'Leader') throw notLeader(this.target.node)
  }
}

/** Runs a Raft membership change; a configuration changed meanwhile becomes a `MembershipConflictError` saying to look again. */
async function conflictOnChange (change: () => Promise<void>): Promise<void> {
  try {
    await change()
  } catch (err) {
    if (err instanceof ConfigurationChangedError) throw new MembershipConflictError(`the membership changed while this change was made (${err.message}): look again and retry`)
    throw err
  }
}
