import type { Clock, TypedEventEmitter } from '@clusterfunk/core'
import type { ClusterRole, ClusterState } from '@clusterfunk/management'
import type { FacadeMetrics } from './facade-metrics.js'
import type { ClusterEvents } from './types.js'

/** What a `StateBoard` reports to. */
export interface StateBoardComponents {
  emitter: TypedEventEmitter<ClusterEvents>
  metrics: FacadeMetrics
  clock: Clock
}

/**
 * What a node says of itself — its state, its role and the leader it
 * knows — with the events and gauges that go with each change. The
 * control loop writes it; the facade and the management read model read
 * it. `Stopping` is final until the next start, `Invalid` gives way only
 * to `Stopping`.
 */
export class StateBoard {
  private readonly c: StateBoardComponents
  private currentState: ClusterState = 'Starting'
  private currentRole: ClusterRole = 'NonMember'
  private knownLeader: string | undefined
  /** When this node first saw the open proposal, for the reshard duration. */
  private reshardStarted: number | undefined

  constructor (components: StateBoardComponents) {
    this.c = components
  }

  get state (): ClusterState { return this.currentState }
  get role (): ClusterRole { return this.currentRole }
  get leaderId (): string | undefined { return this.knownLeader }

  /** A new run begins: Starting again, no leader known (nothing is reported: nobody heard the stop end). */
  restart (): void {
    this.currentState = 'Starting'
    this.knownLeader = undefined
  }

  /**
   * A proposal is open on this node. The reshard duration runs from here to
   * Operational even when the node shows no Resharding state on the way: a
   * node without a leader lease yet (a new leader, a node that just joined)
   * reports Voting through the whole round.
   */
  proposalSeen (): void {
    this.reshardStarted ??= this.c.clock.now()
  }

  setState (state: ClusterState): void {
    if (state === this.currentState) return
    if (this.currentState === 'Stopping') return
    if (this.currentState === 'Invalid' && state !== 'Stopping') return
    const previous = this.currentState
    this.currentState = state
    const now = this.c.clock.now()
    if (state === 'Resharding') this.reshardStarted ??= now
    if (state === 'Operational' && this.reshardStarted !== undefined) {
      this.c.metrics.reshardSeconds.observe((now - this.reshardStarted) / 1_000)
      this.reshardStarted = undefined
    }
    this.c.metrics.setState(state)
    this.c.emitter.emit('state:change', { state, previous })
  }

  setRole (role: ClusterRole): void {
    if (role === this.currentRole) return
    const previous = this.currentRole
    this.currentRole = role
    this.c.metrics.setRole(role)
    this.c.emitter.emit('role:change', { role, previous })
  }

  setLeader (leaderId: string | undefined): void {
    this.knownLeader = leaderId
    this.c.metrics.leaderChanges.inc()
    this.c.emitter.emit('leader:change', { leaderId })
  }
}
