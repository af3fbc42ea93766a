import type { Clock, Logger } from '@clusterfunk/core'
import type { Raft } from '@clusterfunk/raft'
import type { Member } from '@clusterfunk/swim'
import { parseHostPort } from '@clusterfunk/management'
import type { ShardCoordinator } from '../coordinator/coordinator.js'
import { nextMembershipChange, type MembershipChange, type MemberView } from './membership.js'
import type { CheckerPart, SwimPart } from './part-types.js'

/** Tag names of the endpoints every node publishes. */
export const TAG_SWIM = 'ep.swim'
export const TAG_RAFT = 'ep.raft'
export const TAG_LIVENESS = 'ep.liveness'
export const TAG_MANAGEMENT = 'ep.clusterfunk.management'
/** Set to `1` once a node holds Raft state: safe bootstrap then knows a cluster exists. */
export const TAG_RAFT_MEMBER = 'raft.member'

/** What the leader's duties work with. */
export interface LeaderDutiesComponents {
  selfId: string
  raft: Raft<void>
  swim: Pick<SwimPart, 'members' | 'allMembers'>
  checker: Pick<CheckerPart, 'add' | 'remove' | 'clear' | 'nodeStatus' | 'nodes'>
  coordinator: ShardCoordinator
  clock: Clock
  logger: Logger
  /** Called after the coordinator was fed, so its outputs are acted on. */
  changed: () => void
}

/** Options of the leader's duties. */
export interface LeaderDutiesInit {
  maxVoters: number
  failedRemovalMs: number
  /** Deadline of one Raft membership change. */
  changeTimeoutMs: number
}

/**
 * What only the leader does, run on every step while it leads: it keeps
 * the liveness checker probing every member's `ep.liveness`, feeds the
 * coordinator the nodes fit to serve (alive in SWIM, in the Raft group,
 * not declared dead by the checker), and makes the Raft group follow SWIM
 * one membership change at a time — adding a member only once the checker
 * heard it too.
 */
export class LeaderDuties {
  private readonly c: LeaderDutiesComponents
  private readonly init: LeaderDutiesInit
  private readonly missingSince = new Map<string, number>()
  private candidatesKey = ''
  private changing = false
  /** The checker was given the members once since this node began to lead. */
  private livenessSynced = false
  private active = false

  constructor (components: LeaderDutiesComponents, init: LeaderDutiesInit) {
    this.c = components
    this.init = init
  }

  /** This node became leader (after its barrier). */
  begin (): void {
    this.active = true
    this.candidatesKey = ''
    this.missingSince.clear()
    this.livenessSynced = false
  }

  /** This node stopped leading: the checker forgets every node. */
  end (): void {
    this.active = false
    this.candidatesKey = ''
    this.c.checker.clear()
  }

  /** One round of the leader's duties. */
  step (now: number): void {
    if (!this.active) return
    const members = this.c.swim.members()
    this.syncLiveness(members)
    this.syncCandidates(now, members)
    if (!this.changing) this.followSwim(now)
  }

  private syncLiveness (members: Member[]): void {
    const checker = this.c.checker
    const seen = new Set<string>()
    for (const m of members) {
      const address = parseHostPort(m.tags.get(TAG_LIVENESS) ?? '')
      if (address === undefined) continue
      seen.add(m.id)
      const known = checker.nodeStatus(m.id)?.address
      // Members found when leadership began are spread over an interval; one that joins later is probed
      // at once, since it is taken in only once the checker heard it.
      if (known === undefined || known.host !== address.host || known.port !== address.port) checker.add(m.id, address, { probeNow: this.livenessSynced })
    }
    for (const n of checker.nodes()) if (!seen.has(n.id)) checker.remove(n.id)
    this.livenessSynced = true
  }

  private syncCandidates (now: number, members: Member[]): void {
    const config = this.c.raft.configuration()
    const inConfig = new Set([...config.voters, ...config.nonVoters].map(m => m.id))
    const ids = members
      .filter(m => inConfig.has(m.id) && (m.id === this.c.selfId || this.c.checker.nodeStatus(m.id)?.state !== 'dead'))
      .map(m => m.id)
      .sort()
    const key = ids.join('\n')
    if (key === this.candidatesKey) return
    this.candidatesKey = key
    this.c.coordinator.setCandidates(now, new Map(ids.map(id => [id, 1])))
    this.c.changed()
  }

  private followSwim (now: number): void {
    const config = this.c.raft.configuration()
    const inConfig = new Set([...config.voters, ...config.nonVoters].map(m => m.id))
    const views = new Map<string, MemberView>()
    for (const m of this.c.swim.allMembers()) {
      // A member is added only once the liveness checker heard it. SWIM alone can be stale: a new
      // leader may hold alive a node whose leave has not reached it yet, and adding that node back
      // (promoted at once while the log is short) counts a voter that is gone against the quorum.
      const heard = inConfig.has(m.id) || m.id === this.c.selfId || this.c.checker.nodeStatus(m.id)?.state === 'alive'
      const status = m.status === 'alive' && !heard ? 'suspect' : m.status
      views.set(m.id, { id: m.id, status, raftAddress: m.tags.get(TAG_RAFT), since: m.statusChangedAt })
    }
    for (const m of [...config.voters, ...config.nonVoters]) {
      if (views.has(m.id)) { this.missingSince.delete(m.id); continue }
      const since = this.missingSince.get(m.id) ?? now
      this.missingSince.set(m.id, since)
      views.set(m.id, { id: m.id, status: 'dead', raftAddress: m.address, since })
    }
    const change = nextMembershipChange({
      self: this.c.selfId, configuration: config, members: views, maxVoters: this.init.maxVoters, failedRemovalMs: this.init.failedRemovalMs, now
    })
    if (change === undefined) return
    this.changing = true
    this.apply(change).then(() => {
      this.c.logger.info('membership changed', { ...change })
    }, (err: unknown) => {
      this.c.logger.debug('membership change failed', { ...change, error: err instanceof Error ? err.message : String(err) })
    }).finally(() => {
      this.changing = false
      this.c.changed()
    })
  }

  private async apply (change: MembershipChange): Promise<void> {
    const raft = this.c.raft
    const options = { timeoutMs: this.init.changeTimeoutMs }
    switch (change.type) {
      case 'addVoter': await raft.addVoter(change.id, change.address, options); break
      case 'addNonVoter': await raft.addNonVoter(change.id, change.address, options); break
      case 'remove': await raft.removeServer(change.id, options); break
      case 'demote': await raft.demoteVoter(change.id, options); break
    }
  }
}
