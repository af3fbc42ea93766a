import type { Clock, Logger, NotLeaderError } from '@clusterfunk/core'
import type { ManagementClientTls } from '@clusterfunk/management'
import type { ClusterParts } from '../cluster/parts.js'
import { ClusterLocks } from './locks.js'
import { NodeCoordination } from './node.js'
import type { CoordinationReplica } from './replica.js'
import { NodeCoordinationSource } from './source.js'
import { SharedState } from './state.js'

/**
 * A node's shared state and locks, as the `Cluster` holds them across
 * runs: `state` and `locks` for the application, `source` for the
 * management API. `attach` connects them to a run's parts and replica;
 * `detach` releases this node's leases and disconnects them.
 */
export class ClusterCoordination {
  readonly node: NodeCoordination
  readonly state: SharedState
  readonly locks: ClusterLocks
  readonly source: NodeCoordinationSource

  constructor (components: { clock: Clock, logger: Logger }, init: { token: string | undefined, tls: ManagementClientTls | undefined }) {
    this.node = new NodeCoordination(components, init)
    this.state = new SharedState(this.node)
    this.locks = new ClusterLocks(this.node, components)
    this.source = new NodeCoordinationSource(this.node, this.state)
  }

  attach (parts: ClusterParts, replica: CoordinationReplica, how: { leaderAddress: () => string | undefined, notLeader: () => NotLeaderError }): void {
    this.node.attach({
      nodeId: parts.nodeId,
      raft: parts.raft,
      replica,
      leaderAddress: how.leaderAddress,
      notLeader: how.notLeader,
      isDead: id => {
        if (parts.checker.nodeStatus(id)?.state === 'dead') return true
        const member = parts.swim.member(id)
        if (member === undefined) {
          const config = parts.raft.configuration()
          return ![...config.voters, ...config.nonVoters].some(m => m.id === id)
        }
        return member.status === 'dead' || member.status === 'left'
      }
    })
  }

  /** Releases the leases this node holds (waiting at most `timeoutMs`), then disconnects. */
  async detach (timeoutMs: number): Promise<void> {
    if (this.node.replica === undefined) return
    await this.locks.releaseAll(timeoutMs)
    this.node.detach()
  }
}
