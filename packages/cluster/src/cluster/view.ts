import type { ClusterRole, ClusterState } from '@clusterfunk/management'
import type { NodeAddress } from '@clusterfunk/liveness'
import type { Configuration, Role } from '@clusterfunk/raft'

/** One member as SWIM holds it, reduced to what the control loop decides from. */
export interface SwimFact {
  id: string
  status: 'alive' | 'suspect' | 'dead' | 'left'
  /** Its `ep.raft` tag, when it published one. */
  raftAddress: string | undefined
  /** Its `ep.liveness` tag, when it published a valid one. */
  livenessAddress: NodeAddress | undefined
  /** It published `raft.member`: it holds Raft state. */
  raftMember: boolean
  /** Its shard weight (`shard.weight`; 1 when it published none). */
  weight?: number
  /** When `status` last changed (clock time). */
  statusChangedAt: number
}

/** One node the leader's liveness checker watches. */
export interface LivenessFact {
  id: string
  address: NodeAddress
  state: 'alive' | 'dead' | 'unknown'
}

/** The options the decisions depend on. */
export interface DecideOptions {
  /** Safe bootstrap: wait for this many alive members. */
  bootstrapExpect: number | undefined
  maxVoters: number
  failedRemovalMs: number
}

/**
 * Everything the control loop decides from, gathered at one instant: a
 * plain value, so a decision can be replayed and tested without a node.
 */
export interface ClusterView {
  /** Clock time of the gathering. */
  now: number
  /** This node's id. */
  nodeId: string
  raft: {
    role: Role
    leaderId: string | undefined
    configuration: Configuration
    /** Its storage holds a configuration: it bootstrapped or was added. */
    hasState: boolean
    /** Leader only: members that answered its Raft messages within `ANSWERED_WITHIN_MS` (empty otherwise). */
    answered: ReadonlySet<string>
  }
  /** Every member SWIM knows, tombstones included, in SWIM's order (this node among them). */
  members: readonly SwimFact[]
  /** What the liveness checker watches, in its order (empty unless this node checks). */
  liveness: readonly LivenessFact[]
  /** This node's serving lease holds at `now`. */
  leaseValid: boolean
  /** The coordinator's next deadline has come. */
  tickDue: boolean
  /** The node's state and role as last reported. */
  state: ClusterState
  role: ClusterRole
  options: DecideOptions
  /** The nodes of the committed shard map. */
  serving: ReadonlySet<string>
}
