import type { ClusterRole } from '@clusterfunk/management'
import type { NodeAddress } from '@clusterfunk/liveness'
import type { Configuration } from '@clusterfunk/raft'
import type { MembershipChange } from './membership.js'

/**
 * What the control loop does, as plain values, in the order a decision
 * lists them. Each is performed by the loop (`loop.ts`), the only place
 * with effects; after the last, the loop acts on the coordinator's outputs.
 */
export type ClusterAction =
  /** The leader this node knows changed: report it (`leader:change`). */
  | { type: 'report-leader', leaderId: string | undefined }
  /** Raft made this node leader: commit a barrier before taking over the coordinator. */
  | { type: 'barrier' }
  /** The barrier passed while this node still leads: the coordinator leads from now on. */
  | { type: 'coordinator-lead' }
  /** This node no longer leads: the coordinator follows. */
  | { type: 'coordinator-follow' }
  /** Start probing a node's liveness endpoint (at once when `probeNow`, else at a random phase). */
  | { type: 'liveness-watch', nodeId: string, address: NodeAddress, probeNow: boolean }
  /** Stop probing every watched node not in `nodeIds`. */
  | { type: 'liveness-retain', nodeIds: readonly string[] }
  /** Stop liveness checking altogether. */
  | { type: 'liveness-stop' }
  /** The nodes fit to serve changed: give them to the coordinator (sorted ids). */
  | { type: 'coordinator-candidates', nodeIds: readonly string[], weights?: readonly number[] }
  /** Make one Raft membership change. */
  | { type: 'membership', change: MembershipChange }
  /** Renew the serving lease when due. */
  | { type: 'lease-renew' }
  /** Tell the coordinator whether the lease holds. */
  | { type: 'coordinator-contact', valid: boolean }
  /** The coordinator's deadline came. */
  | { type: 'coordinator-tick' }
  /** Bootstrap the Raft group with this configuration. */
  | { type: 'bootstrap', configuration: Configuration }
  /** Safe bootstrap waits: `seen` (sorted ids, this node included) of the `expect` nodes are alive with a Raft address. */
  | { type: 'report-bootstrap-waiting', expect: number, seen: readonly string[] }
  /** Rejoin SWIM if its view lost the leader, or this node is not serving. */
  | { type: 'mend-swim', leaderId: string | undefined, serving: boolean }
  /** Open Raft connections ahead of need. */
  | { type: 'warm-raft', isLeader: boolean, configuration: Configuration }
  /** This node's role changed: report it (`role:change`). */
  | { type: 'report-role', role: ClusterRole }
  /** Publish the node's tags again (it now holds Raft state). */
  | { type: 'publish-tags' }
  /** Step again at once: the step timer is set to 0 ms, replacing the pending one. */
  | { type: 'step-now' }
  /** Step again after the I/O at hand (`Clock.defer`), once for a burst of wakes. */
  | { type: 'wake' }

/** An asynchronous action came back. */
export type ClusterOutcome =
  /** The barrier committed (`ok`) or failed; `leader`: Raft still makes this node leader. */
  | { type: 'barrier', ok: boolean, leader: boolean }
  | { type: 'bootstrap', ok: boolean }
  /** A membership change finished, applied or not. */
  | { type: 'membership' }
