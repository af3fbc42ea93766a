import { InvalidArgumentError, throwIfAborted, type AbortOptions } from '@clusterfunk/core'
import { parseHostPort, UnknownNodeError, type AddNodeRequest, type ClusterCommands } from '@clusterfunk/management'
import type { Raft } from '@clusterfunk/raft'
import { notLeader, type ReadableNode } from './read-model.js'

/** What the commands act on in a running node. */
export interface RunningNode {
  raft: Pick<Raft<void>, 'addVoter' | 'addNonVoter' | 'removeServer' | 'transferLeadership' | 'configuration'>
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

  async addNode (request: AddNodeRequest, options: AbortOptions = {}): Promise<void> {
    throwIfAborted(options.signal)
    this.requireLeader()
    if (request.id === '') throw new InvalidArgumentError('a node id is required')
    if (parseHostPort(request.address) === undefined) throw new InvalidArgumentError(`"${request.address}" is not host:port`)
    const raft = this.target.running().raft
    const opts = options.signal === undefined ? {} : { signal: options.signal }
    if (request.nonVoter === true) await raft.addNonVoter(request.id, request.address, opts)
    else await raft.addVoter(request.id, request.address, opts)
  }

  async removeNode (id: string, options: AbortOptions = {}): Promise<void> {
    throwIfAborted(options.signal)
    this.requireLeader()
    const raft = this.target.running().raft
    const config = raft.configuration()
    if (![...config.voters, ...config.nonVoters].some(m => m.id === id)) throw new UnknownNodeError(id)
    if (id === this.target.node.nodeId) throw new InvalidArgumentError('the leader cannot remove itself: step down first')
    await raft.removeServer(id, options.signal === undefined ? {} : { signal: options.signal })
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
