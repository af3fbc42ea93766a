import { isNonVoter, isVoter, type ConfigChange, type NodeId } from './configuration.js'
import { ConfigurationChangedError } from './errors.js'
import type { RaftCore } from './raft-core.js'
import type { RaftLoop } from './raft-loop.js'
import type { MembershipOptions } from './raft-types.js'
import type { RaftStatus } from './status.js'

/**
 * The membership calls of `Raft`: one single-server change each
 * (dissertation §4.1), optionally conditional on the configuration they
 * were based on (`prevIndex`, as hashicorp/raft's), and `addVoter`'s
 * promotion of a caught-up non-voter, which the leader checks once a
 * heartbeat.
 */
export class MembershipCalls {
  private readonly loop: RaftLoop
  private readonly toPromote = new Set<NodeId>()

  constructor (loop: RaftLoop) {
    this.loop = loop
  }

  /** Adds a voter: it joins as a non-voter and is promoted once it answered and caught up. Resolves once it is a voter here. */
  async addVoter (id: NodeId, address: string, options: MembershipOptions): Promise<void> {
    const status = this.loop.running().status()
    this.checkPrevIndex(status, options)
    if (isVoter(status.configuration, id)) return
    if (!isNonVoter(status.configuration, id)) await this.change({ type: 'addNonVoter', id, address }, options)
    this.toPromote.add(id)
    this.loop.kick()
    await this.loop.pending.waitUntil(() => isVoter(this.loop.appliedConfig, id), 'addVoter', options)
  }

  async addNonVoter (id: NodeId, address: string, options: MembershipOptions): Promise<void> {
    await this.change({ type: 'addNonVoter', id, address }, options)
  }

  async removeServer (id: NodeId, options: MembershipOptions): Promise<void> {
    this.toPromote.delete(id)
    await this.change({ type: 'remove', id }, options)
  }

  async demoteVoter (id: NodeId, options: MembershipOptions): Promise<void> {
    this.toPromote.delete(id)
    await this.change({ type: 'demote', id }, options)
  }

  /**
   * Leader, once a heartbeat: promotes each non-voter `addVoter` waits for
   * once it has answered during this leadership, recently, and its match
   * index is within `catchUpLag` of the log. (A log shorter than the lag
   * alone must not promote a member that never answered: it would count
   * towards every quorum while unreachable.)
   */
  promoteCaughtUp (core: RaftCore, status: RaftStatus): void {
    for (const id of this.toPromote) {
      if (!isNonVoter(status.configuration, id)) {
        if (isVoter(status.configuration, id)) this.toPromote.delete(id)
        continue
      }
      const pr = status.progress.get(id)
      if (pr === undefined || pr.match === 0 || !this.loop.peers.recentlyAnswered(id)) continue
      if (pr.match + this.loop.init.catchUpLag >= status.lastIndex && core.proposeConfigChange({ type: 'promote', id }).ok) this.toPromote.delete(id)
    }
  }

  private async change (change: ConfigChange, options: MembershipOptions): Promise<void> {
    const core = this.loop.running()
    this.checkPrevIndex(core.status(), options)
    const r = core.proposeConfigChange(change)
    if (!r.ok) throw r.error
    this.loop.kick()
    await this.loop.pending.propose(r.index, r.term, 0, change.type, options, () => this.loop.notLeader('a later leader replaced the entry'))
  }

  private checkPrevIndex (status: RaftStatus, options: MembershipOptions): void {
    if (options.prevIndex !== undefined && options.prevIndex !== status.configurationIndex) {
      throw new ConfigurationChangedError(options.prevIndex, status.configurationIndex)
    }
  }
}
