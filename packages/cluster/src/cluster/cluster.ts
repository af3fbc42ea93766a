import { Service, TypedEventEmitter, silentLogger, systemClock, type AbortOptions, type Clock, type Logger, type TimerHandle } from '@clusterfunk/core'
import { RAFT_PRESETS } from '@clusterfunk/raft'
import { encodeCommand } from '../coordinator/codec.js'
import { ShardCoordinator } from '../coordinator/coordinator.js'
import type { CoordinatorOutput } from '../coordinator/types.js'
import { joinHostPort, type ClusterRole, type ClusterState, type ManagementSource, type MdnsSocket } from '@clusterfunk/management'
import { PromMetrics } from '../metrics/prom-metrics.js'
import { ClusterMetrics } from '../metrics/cluster-metrics.js'
import { bootstrapDecision } from './bootstrap.js'
import { Connectivity } from './connectivity.js'
import { ContactLease } from './contact-lease.js'
import { FacadeMetrics } from './facade-metrics.js'
import { TAG_LIVENESS, TAG_MANAGEMENT, TAG_RAFT, TAG_RAFT_MEMBER, TAG_SWIM } from './leader.js'
import { resolveClusterInit, type ClusterInit, type ResolvedClusterInit } from './options.js'
import { ShardView, type ClusterEvents } from './types.js'
import type { ClusterParts } from './parts.js'
import { realParts, type PartsFactory } from './parts-factory.js'

/** What a `Cluster` takes from outside; every field optional. */
export interface ClusterComponents {
  clock?: Clock
  logger?: Logger
  /** Makes zeroconf's mDNS socket. Default a real multicast socket; tests pass `MemoryMulticastNetwork.createSocket`. */
  createMdnsSocket?: () => MdnsSocket
  /** Builds the node's parts. Default `realParts`; a simulation passes its own with its `clock`. */
  parts?: PartsFactory
}

/**
 * The core of a clusterfunk node: SWIM membership, one Raft group, the
 * leader's liveness checker and the shard-map coordinator, composed. See
 * `Cluster` for the public face (endpoints, events, management); this
 * class runs the parts and their loop.
 */
export abstract class ClusterCore extends Service {
  /** The options, with defaults applied. */
  readonly options: ResolvedClusterInit
  /** Metrics of every part of this node, for a Prometheus scrape (`exposition()`). */
  readonly metrics: PromMetrics
  protected readonly emitter = new TypedEventEmitter<ClusterEvents>()
  protected readonly clock: Clock
  protected readonly logger: Logger
  protected readonly facade: FacadeMetrics
  protected readonly userEndpoints = new Map<string, string>()
  protected coordinator: ShardCoordinator | undefined
  protected parts: ClusterParts | undefined
  protected currentState: ClusterState = 'Starting'
  protected currentRole: ClusterRole = 'NonMember'
  protected knownLeader: string | undefined
  protected readonly startedAt: number
  private timer: TimerHandle | undefined
  private pumpScheduled = false
  private leading = false
  private becoming = false
  private bootstrapping = false
  private didBootstrap = false
  private reshardStarted: number | undefined
  /** The leader's latest proposal, for `reshard:done`: its version, size, when it was appended and when every ack was in. */
  private proposal: { version: number, nodes: number, appendedAt: number, ackedAt: number | undefined } | undefined
  private nextTickAt = Infinity
  private connectivity: Connectivity | undefined
  private contactMs = 150
  private lease: ContactLease | undefined
  private unhook: (() => void) | undefined
  private readonly createMdnsSocket: (() => MdnsSocket) | undefined
  private readonly partsFactory: PartsFactory

  /** @throws InvalidConfigError naming the option at fault */
  constructor (components: ClusterComponents, init: ClusterInit) {
    super()
    this.options = resolveClusterInit(init)
    this.clock = components.clock ?? systemClock
    this.logger = components.logger ?? silentLogger('cluster')
    this.createMdnsSocket = components.createMdnsSocket
    this.partsFactory = components.parts ?? realParts
    this.metrics = new PromMetrics()
    this.facade = new FacadeMetrics(this.metrics)
    this.startedAt = this.clock.wallNow()
    this.shards = new ShardView(this.options.shards, () => this.coordinator?.committedMap)
  }

  /** This node's id (after `start()`, or when given in the options). */
  get nodeId (): string {
    return this.parts?.nodeId ?? this.options.nodeId ?? ''
  }

  /** The node's state: Starting, Joining, Voting, Resharding, Operational, Stopping (or Invalid). */
  get state (): ClusterState { return this.currentState }

  /** The node's role: Leader, Follower (voter), NonVoter, NonMember (not in the Raft group). */
  get role (): ClusterRole { return this.currentRole }

  /** The committed shard map: `nodeFor(key)`, `shardFor(key)`, `shardsOf(node)`, `version`. */
  readonly shards: ShardView

  /** True when this node bootstrapped the Raft group during this run (safe bootstrap picked it). */
  get bootstrapped (): boolean { return this.didBootstrap }

  /** The leader this node knows of, if any. */
  leader (): string | undefined { return this.knownLeader }

  /**
   * True when gossip is authenticated (gossip keys are set): SWIM then drops
   * every packet that does not open under the keyring, so member tags —
   * endpoints such as `ep.kv` — come from nodes holding a key. False means
   * anyone who can send a datagram to this node can forge a member's tags:
   * an application must not send secrets or trusted writes to an endpoint
   * learned from gossip unless this is true or its own channel
   * authenticates the peer (TLS). The cluster's own node-to-node calls prove
   * the token instead of sending it, so they are safe either way.
   */
  get gossipAuthenticated (): boolean { return this.options.keyring !== undefined }

  /** The parts, or NotStartedError. */
  protected abstract running (): ClusterParts

  protected tags (): Record<string, string> {
    const p = this.parts
    const tags: Record<string, string> = {}
    for (const [name, url] of this.userEndpoints) tags[`ep.${name}`] = url
    if (p === undefined) return tags
    tags[TAG_SWIM] = p.swim.address()
    tags[TAG_RAFT] = p.transport.address
    tags[TAG_LIVENESS] = joinHostPort(p.endpoint.address().host, p.endpoint.address().port)
    tags[TAG_MANAGEMENT] = p.management.endpoint()
    if (this.hasRaftState(p)) tags[TAG_RAFT_MEMBER] = '1'
    return tags
  }

  protected async onStart (_options: AbortOptions): Promise<void> {
    const o = this.options
    if (o.exposed.length > 0) this.logger.warn(`starting insecure on ${o.host}: ${o.exposed.join('; ')}`, { insecure: true })
    this.currentState = 'Starting'
    this.knownLeader = undefined
    this.leading = false
    this.bootstrapping = false
    this.didBootstrap = false
    this.nextTickAt = Infinity
    const nodeId = await this.partsFactory.nodeId(o)
    this.contactMs = RAFT_PRESETS[o.raftPreset].heartbeatMs * 3
    const coordinatorInit = { nodeId, shardCount: o.shards, ackTimeoutMs: o.ackTimeoutMs, leaseMs: this.contactMs }
    const coordinator = this.partsFactory.coordinator?.(coordinatorInit) ?? new ShardCoordinator(coordinatorInit)
    this.coordinator = coordinator
    const parts = await this.partsFactory.assemble(o, {
      nodeId,
      coordinator,
      clock: this.clock,
      logger: this.logger,
      metrics: this.metrics,
      skippedEntries: this.facade.skippedEntries,
      source: this.source(),
      changed: () => { this.schedulePump() },
      leaderManagementAddress: () => this.managementAddressOf(this.knownLeader),
      createMdnsSocket: this.createMdnsSocket
    })
    const { raft, endpoint, checker, management, swim } = parts
    this.parts = parts
    this.connectivity = new Connectivity({ parts, logger: this.logger, join: o.join })
    this.lease = new ContactLease({ raft, clock: this.clock, logger: this.logger, changed: () => { this.schedulePump() } }, this.contactMs)
    const clusterMetrics = new ClusterMetrics({ metrics: this.metrics, clock: this.clock }, { clusterName: o.name, nodeId })
    clusterMetrics.watchLiveness(checker)
    this.unhook = this.metrics.addCollectHook(() => { clusterMetrics.refresh() })
    await raft.start()
    await endpoint.start()
    await checker.start()
    await management.start()
    await parts.metricsServer?.start()
    await swim.start()
    swim.setTags(this.tags())
    this.wireEvents(parts)
    this.schedule(0)
    if (o.join.length > 0) void this.joinSwim(o.join)
    if (parts.zeroconf !== undefined) {
      await parts.zeroconf.start({ swim: swim.port(), mgmt: parts.management.address().port }, (id, address) => {
        if (this.parts === parts && swim.status === 'started' && swim.member(id) === undefined) void this.joinSwim([address])
      })
      void parts.zeroconf.discover().then(addresses => { if (addresses.length > 0 && this.parts === parts) void this.joinSwim(addresses) })
    }
  }

  protected async onStop (): Promise<void> {
    this.setState('Stopping')
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    const p = this.parts
    if (p === undefined) return
    p.acks.stop()
    this.unhook?.()
    this.unhook = undefined
    if (this.leading && p.raft.status === 'started') {
      // Hand over first, so the others need not wait out an election.
      try { await p.raft.transferLeadership(undefined, { timeoutMs: 1_000 }) } catch (err) { this.logger.debug('no leadership transfer', { error: String(err) }) }
    }
    p.leader.end()
    if (p.swim.status === 'started') {
      try { await p.swim.leave({ timeoutMs: 1_000 }) } catch (err) { this.logger.debug('leave failed', { error: String(err) }) }
    }
    await p.zeroconf?.stop()
    await p.swim.stop()
    await p.checker.stop()
    await p.endpoint.stop()
    await p.management.stop()
    await p.metricsServer?.stop()
    await p.raft.stop()
    await p.store.close()
    this.parts = undefined
    this.lease = undefined
    this.connectivity = undefined
    this.leading = false
  }

  private async joinSwim (addresses: readonly string[]): Promise<void> {
    for (let attempt = 0; attempt < 50 && this.parts !== undefined && this.status !== 'stopping'; attempt++) {
      try {
        await this.parts.swim.join(addresses)
        return
      } catch (err) {
        this.logger.debug('join failed, retrying', { error: err instanceof Error ? err.message : String(err) })
        await new Promise<void>(resolve => { this.clock.setTimeout(resolve, 200) })
      }
    }
  }

  private wireEvents (p: ClusterParts): void {
    const changed = (): void => { this.schedule(0) }
    p.swim.addEventListener('member:join', e => { this.emitter.emit('node:join', { nodeId: e.detail.id }); changed() })
    p.swim.addEventListener('member:leave', e => { this.emitter.emit('node:leave', { nodeId: e.detail.id }); changed() })
    p.swim.addEventListener('member:failed', e => { this.emitter.emit('node:leave', { nodeId: e.detail.id }); changed() })
    p.swim.addEventListener('member:update', changed)
    p.checker.addEventListener('node:dead', e => { this.emitter.emit('node:dead', { nodeId: e.detail.nodeId }); changed() })
    p.checker.addEventListener('node:alive', e => {
      this.emitter.emit('node:alive', { nodeId: e.detail.nodeId })
      this.coordinator?.nodeAlive(this.clock.now(), e.detail.nodeId)
      this.schedulePump()
    })
    p.raft.addEventListener('role:change', changed)
    p.raft.addEventListener('leader:change', changed)
    p.raft.addEventListener('peer:change', changed)
  }

  /** Runs `step` after `ms` (sooner replaces later). */
  private schedule (ms: number): void {
    if (this.parts === undefined || this.status === 'stopping') return
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = this.clock.setTimeout(() => { this.timer = undefined; this.step() }, ms)
  }

  private step (): void {
    const p = this.parts
    const coordinator = this.coordinator
    if (p === undefined || coordinator === undefined || p.raft.status !== 'started') return
    const now = this.clock.now()
    try {
      const stats = p.raft.stats()
      const isLeader = stats.role === 'leader'
      if (stats.leaderId !== this.knownLeader) {
        this.knownLeader = stats.leaderId
        this.facade.leaderChanges.inc()
        this.emitter.emit('leader:change', { leaderId: stats.leaderId })
      }
      if (isLeader && !this.leading && !this.becoming) this.becomeLeader(p, coordinator)
      if (!isLeader && this.leading) {
        this.leading = false
        this.proposal = undefined
        coordinator.loseLeadership()
        p.leader.end()
      }
      if (this.leading) p.leader.step(now)
      // Serving needs a lease, leader or not: a round trip that proves this node holds every map committed before it asked.
      this.lease?.renew(now)
      coordinator.setLeaderContact(now, this.lease?.valid(now) === true)
      if (now >= this.nextTickAt) coordinator.tick(now)
      this.maybeBootstrap(p)
      const config = stats.configuration
      const inVoters = config.voters.some(m => m.id === p.nodeId)
      const inGroup = inVoters || config.nonVoters.some(m => m.id === p.nodeId)
      if (!isLeader) this.connectivity?.mendSwim(now, stats.leaderId, inGroup && this.currentState !== 'Joining')
      if (isLeader || !inGroup) this.connectivity?.warmRaft(isLeader, config)
      this.setRole(isLeader ? 'Leader' : inVoters ? 'Follower' : config.nonVoters.some(m => m.id === p.nodeId) ? 'NonVoter' : 'NonMember')
      this.facade.size.set(config.voters.length + config.nonVoters.length)
      if (this.hasRaftState(p) && p.swim.localMember().tags.get(TAG_RAFT_MEMBER) === undefined) p.swim.setTags(this.tags())
      this.pump()
    } catch (err) {
      // Not expected: Raft refuses to serve after a failed disk write. The node can no longer be trusted to serve.
      this.logger.error('cluster step failed', { error: err instanceof Error ? err.message : String(err) })
      this.setState('Invalid')
    }
    const next = this.clock.now()
    // Also exactly when the lease runs out: a node must not say Operational a moment past it.
    const wake = this.lease?.nextWake(next) ?? Infinity
    this.schedule(Math.min(RAFT_PRESETS[this.options.raftPreset].heartbeatMs, Math.max(0, this.nextTickAt - next), wake - next))
  }

  private becomeLeader (p: ClusterParts, coordinator: ShardCoordinator): void {
    this.becoming = true
    p.raft.barrier({ timeoutMs: 5_000 }).then(() => {
      if (this.parts !== p || p.raft.stats().role !== 'leader') return
      this.leading = true
      coordinator.becomeLeader(this.clock.now())
      p.leader.begin()
      this.schedule(0)
    }, (err: unknown) => {
      this.logger.debug('barrier failed', { error: err instanceof Error ? err.message : String(err) })
    }).finally(() => { this.becoming = false })
  }

  private maybeBootstrap (p: ClusterParts): void {
    const expect = this.options.bootstrapExpect
    if (expect === undefined || this.bootstrapping || this.hasRaftState(p)) return
    const alive = p.swim.members().filter(m => m.status === 'alive')
      .map(m => ({ id: m.id, raftAddress: m.tags.get(TAG_RAFT), member: m.tags.get(TAG_RAFT_MEMBER) === '1' }))
    const decision = bootstrapDecision(p.nodeId, expect, alive)
    if (decision === 'wait') return
    this.bootstrapping = true
    this.logger.info('bootstrapping the cluster', { voters: decision.voters.map(v => v.id) })
    p.raft.bootstrap(decision).then(() => {
      this.didBootstrap = true
      this.schedule(0)
    }, (err: unknown) => {
      this.logger.warn('bootstrap failed', { error: err instanceof Error ? err.message : String(err) })
      this.bootstrapping = false
    })
  }

  /** True once this node's Raft storage holds a configuration (it bootstrapped or was added). */
  protected hasRaftState (p: ClusterParts): boolean {
    const s = p.raft.stats()
    return s.lastIndex > 0 || s.snapshotIndex > 0 || s.term > 0
  }

  protected schedulePump (): void {
    if (this.pumpScheduled) return
    this.pumpScheduled = true
    const run = (): void => {
      this.pumpScheduled = false
      if (this.parts !== undefined) this.step()
    }
    // After the I/O at hand, so a burst of changes (a batch of applied
    // entries) is acted on once.
    this.clock.defer(run)
  }

  /** Acts on what the coordinator asked for. */
  private pump (): void {
    const p = this.parts
    const coordinator = this.coordinator
    if (p === undefined || coordinator === undefined) return
    const out: CoordinatorOutput = coordinator.drain()
    for (const command of out.append) {
      if (command.type === 'propose') this.proposal = { version: command.version, nodes: command.map.nodes().length, appendedAt: this.clock.now(), ackedAt: undefined }
      else if (this.proposal?.version === command.version) this.proposal.ackedAt = this.clock.now()
      p.raft.apply(encodeCommand(command), { timeoutMs: 5_000 }).catch((err: unknown) => {
        this.logger.debug('append failed', { type: command.type, version: command.version, error: err instanceof Error ? err.message : String(err) })
      })
    }
    const ack = out.acks.at(-1)
    if (ack !== undefined) p.acks.owe(ack)
    if (out.stepDown) p.raft.transferLeadership().catch(() => {})
    if (out.missed.length > 0) this.connectivity?.reachOut(out.missed)
    for (const change of out.shards) {
      this.facade.shardsOwned.set(coordinator.committedMap?.map.countOf(p.nodeId) ?? 0)
      this.facade.mapVersion.set(change.version)
      this.emitter.emit('shards:change', { version: change.version, gained: change.gained, lost: change.lost })
      const proposal = this.proposal
      if (proposal?.version === change.version && proposal.ackedAt !== undefined) {
        this.proposal = undefined
        const now = this.clock.now()
        this.emitter.emit('reshard:done', { version: change.version, nodes: proposal.nodes, ackedMs: proposal.ackedAt - proposal.appendedAt, durationMs: now - proposal.appendedAt })
      }
    }
    this.nextTickAt = out.nextTickAt
    this.setState(p.raft.configuration().voters.length + p.raft.configuration().nonVoters.length === 0 ? 'Joining' : coordinator.state)
  }

  protected setState (state: ClusterState): void {
    if (state === this.currentState) return
    if (this.currentState === 'Stopping') return
    if (this.currentState === 'Invalid' && state !== 'Stopping') return
    const previous = this.currentState
    this.currentState = state
    const now = this.clock.now()
    if (state === 'Resharding') this.reshardStarted ??= now
    if (state === 'Operational' && this.reshardStarted !== undefined) {
      this.facade.reshardMs.observe(now - this.reshardStarted)
      this.reshardStarted = undefined
    }
    this.facade.setState(state)
    this.emitter.emit('state:change', { state, previous })
  }

  private setRole (role: ClusterRole): void {
    if (role === this.currentRole) return
    const previous = this.currentRole
    this.currentRole = role
    this.facade.setRole(role)
    this.emitter.emit('role:change', { role, previous })
  }

  /** The management endpoint a node publishes, if known. */
  protected managementAddressOf (nodeId: string | undefined): string | undefined {
    if (nodeId === undefined) return undefined
    return this.parts?.swim.member(nodeId)?.tags.get(TAG_MANAGEMENT)
  }

  /** The `ManagementSource` the management server answers from. */
  protected abstract source (): ManagementSource
}
