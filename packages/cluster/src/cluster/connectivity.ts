import type { Logger } from '@clusterfunk/core'
import { TAG_RAFT } from './tags.js'
import type { ClusterParts } from './parts.js'
import { MEND_MS, MEND_PEERS } from './constants.js'

/** What `Connectivity` works on. */
export interface ConnectivityInit {
  parts: Pick<ClusterParts, 'nodeId' | 'swim' | 'transport'>
  logger: Logger
  /** The node's configured join addresses (SWIM). */
  join: readonly string[]
}

/**
 * Keeps the paths between a node and its cluster open, for one run of a
 * node: it mends SWIM views that lost the leader, opens Raft connections
 * ahead of need, and lets the leader reach nodes that missed an ack. Each
 * duty is a nudge the cluster's step makes; none changes what the protocols
 * decide, only how soon they can.
 */
export class Connectivity {
  private readonly init: ConnectivityInit
  private lastMend = -Infinity
  /** Raft addresses a connection was opened to ahead of need. */
  private readonly warmed = new Set<string>()

  constructor (init: ConnectivityInit) {
    this.init = init
  }

  /**
   * Rejoins SWIM while this node follows a Raft leader that its SWIM view
   * does not hold alive, or is not `serving` (outside the Raft group, or in
   * it but `Joining`), through the leader's SWIM address when it knows one
   * (else up to `MEND_PEERS` members it knows) and its join addresses. One
   * push/pull then heals both views. Left alone, nodes that restarted can
   * stay unknown to each other's SWIM (each holds the other as suspect, or
   * not at all, and nothing new is gossiped) until SWIM's anti-entropy picks
   * the right pair, many seconds later; meanwhile the leader has no
   * candidate to add or put in a map, or the node no endpoint to ack to. At
   * most every `MEND_MS`.
   */
  mendSwim (now: number, leaderId: string | undefined, serving: boolean): void {
    const { swim, nodeId } = this.init.parts
    if (now - this.lastMend < MEND_MS || swim.status !== 'started') return
    const leader = leaderId === undefined ? undefined : swim.member(leaderId)
    const lostLeader = leaderId !== undefined && leader?.status !== 'alive'
    if (!lostLeader && serving) return
    const addresses = new Set<string>()
    if (leader !== undefined) addresses.add(leader.address)
    else {
      const known = swim.allMembers().filter(m => m.id !== nodeId && m.status !== 'left').sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
      for (const m of known.slice(0, MEND_PEERS)) addresses.add(m.address)
    }
    for (const a of this.init.join) addresses.add(a)
    if (addresses.size === 0) return
    this.lastMend = now
    this.init.logger.debug('rejoining SWIM', { leader: leaderId, addresses: [...addresses] })
    swim.join([...addresses]).catch((err: unknown) => {
      this.init.logger.debug('could not rejoin SWIM', { leader: leaderId, error: err instanceof Error ? err.message : String(err) })
    })
  }

  /**
   * Opens Raft connections before they are needed, so that joining does not
   * wait for connection setup (tens of ms for a process's first gRPC
   * channel): a node outside the Raft group to every member SWIM shows (one
   * of them leads and is about to send it the log and hear its answers), a
   * leader to members not yet in the group (it is about to add them).
   */
  warmRaft (isLeader: boolean, config: { voters: ReadonlyArray<{ id: string }>, nonVoters: ReadonlyArray<{ id: string }> }): void {
    const { swim, nodeId, transport } = this.init.parts
    const inConfig = new Set([...config.voters, ...config.nonVoters].map(m => m.id))
    for (const m of swim.members()) {
      if (m.id === nodeId || (isLeader && inConfig.has(m.id))) continue
      const address = m.tags.get(TAG_RAFT)
      if (address === undefined || this.warmed.has(address)) continue
      this.warmed.add(address)
      transport.connect?.(address)
    }
  }

  /**
   * Leader: pushes its SWIM state to nodes that missed their ack. A node
   * sends its ack to the leader's management endpoint, which it learns from
   * SWIM; one whose view lacks the leader (it restarted and its join
   * addresses are gone, or it dropped the leader as suspect) follows Raft
   * but cannot ack, and SWIM's own anti-entropy may take many seconds to
   * repair that. The leader knows every node it put in a map from its own
   * view, so a push/pull to each (a SWIM join) mends theirs at once, before
   * they are tried again.
   */
  reachOut (ids: readonly string[]): void {
    const { swim } = this.init.parts
    const addresses = ids.flatMap(id => { const a = swim.member(id)?.address; return a === undefined ? [] : [a] })
    if (addresses.length === 0 || swim.status !== 'started') return
    swim.join(addresses).catch((err: unknown) => {
      this.init.logger.debug('could not reach the nodes that missed their ack', { ids, error: err instanceof Error ? err.message : String(err) })
    })
  }
}
