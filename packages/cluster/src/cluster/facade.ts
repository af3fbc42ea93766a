import { InvalidArgumentError, LocalHealthMonitor, NotStartedError, Service, TypedEventEmitter, createLogger, eventIterator, systemClock, type AbortOptions, type Clock, type EventHandler, type EventIteratorOptions, type ListenerOptions, type Logger } from '@clusterfunk/core'
import { managementSource, type ClusterRole, type ClusterState, type ManagementSource, type MdnsSocket, type NodeEndpoint } from '@clusterfunk/management'
import type { KeyInput } from '@clusterfunk/swim'
import { ShardCoordinator } from '../coordinator/coordinator.js'
import { ClusterMetrics } from '../metrics/cluster-metrics.js'
import { PromMetrics } from '../metrics/prom-metrics.js'
import { StateBoard } from './board.js'
import { NodeCommands } from './commands.js'
import { STOP_HANDOVER_MS } from './constants.js'
import { FacadeMetrics } from './facade-metrics.js'
import { hasRaftState } from './gather.js'
import { ControlLoop } from './loop.js'
import { resolveClusterInit, type ClusterInit, type ResolvedClusterInit } from './options.js'
import type { ClusterParts } from './parts.js'
import { realParts, type PartsFactory } from './parts-factory.js'
import { NodeReadModel, type NodeEvent } from './read-model.js'
import { bareEndpointName, listEndpoints, listNodes } from './roster.js'
import { logLifecycle } from './lifecycle-log.js'
import { whenOperational, type WhenOperationalOptions } from './operational.js'
import { startPart } from './start-part.js'
import { ClusterStatusSource } from './status-source.js'
import { LocalEndpoints, OWN_ENDPOINTS, TAG_MANAGEMENT, TAG_RAFT } from './tags.js'
import { ShardView, type ClusterEvents, type ClusterNode } from './types.js'
import { ClusterCoordination } from '../coordination/cluster-coordination.js'
import { CoordinationReplica } from '../coordination/replica.js'
import type { ClusterLocks } from '../coordination/locks.js'
import type { SharedState } from '../coordination/state.js'
import { notLeader } from './read-model.js'
import { managementClientTls } from './security.js'
import { ClusterMessaging } from '../coordination/messaging.js'
import type { FireOptions, UserEvent } from '../coordination/events.js'
import type { MemberInfo } from '../coordination/member-info.js'
import type { QueryHandler, QueryOptions, QueryReply } from '../coordination/queries.js'
import type { RequestHandler, RequestOptions } from '../coordination/requests.js'
import { messagingInit } from '../coordination/messaging-init.js'

/** What a `Cluster` takes from outside; every field optional. */
export interface ClusterComponents {
  clock?: Clock
  /**
   * Where the node logs. Default `createLogger('cluster')`: JSON lines on
   * stderr at the level `CLUSTERFUNK_LOG` names (`warn` when unset); the
   * lifecycle (state, role, leader, safe bootstrap's wait) is at `info`.
   */
  logger?: Logger
  /** Makes zeroconf's mDNS socket. Default a real multicast socket; tests pass `MemoryMulticastNetwork.createSocket`. */
  createMdnsSocket?: () => MdnsSocket
  /** Builds the node's parts. Default `realParts`; a simulation passes its own with its `clock`. */
  parts?: PartsFactory
}

const EVENT_TYPES: ReadonlyArray<keyof ClusterEvents & string> = [
  'state:change', 'role:change', 'leader:change', 'shards:change', 'reshard:done', 'bootstrap:waiting', 'node:join', 'node:leave', 'node:dead', 'node:alive', 'event:user'
]
const ENDPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

/** One run of a node, from `start()` to the end of `stop()`. */
interface NodeRun {
  parts: ClusterParts
  coordinator: ShardCoordinator
  loop: ControlLoop
  /** Removes the collect hook of the node's metrics. */
  unhook: () => void
  /** The node's local health monitor, started and stopped with the run. */
  health: LocalHealthMonitor
}

/**
 * A clusterfunk node: SWIM membership with endpoint tags, one Raft group,
 * the leader's liveness checker and the shard map committed through Raft
 * after every node acknowledged it; a gRPC management API, Prometheus
 * metrics and zeroconf. Create one with `createCluster(options)`, then
 * `start()`; `stop()` leaves the cluster and releases everything. Each
 * run's control loop (`ControlLoop`) is the node's own: it decides with
 * `decide` and is the only place that acts on the parts.
 */
export class Cluster extends Service {
  /** The options, with defaults applied. */
  readonly options: ResolvedClusterInit
  /** Metrics of every part of this node, for a Prometheus scrape (`exposition()`). */
  readonly metrics: PromMetrics
  /** The committed shard map: `nodeFor(key)`, `shardFor(key)`, `shardsOf(node)`, `version`. */
  readonly shards: ShardView
  /** What the management server (and `funkctl`) reads and asks of this node: its read model and its commands. */
  readonly managementSource: ManagementSource
  private readonly coordination: ClusterCoordination
  private readonly emitter = new TypedEventEmitter<ClusterEvents>()
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly facade: FacadeMetrics
  private readonly board: StateBoard
  private readonly userEndpoints = new LocalEndpoints()
  private readonly createMdnsSocket: (() => MdnsSocket) | undefined
  private readonly partsFactory: PartsFactory
  private readonly startedAt: number
  private readonly statusSource: ClusterStatusSource
  private readonly messaging: ClusterMessaging
  /** The current run (kept after `stop()` until the next start, for `bootstrapped` and the shard map). */
  private run: NodeRun | undefined
  private parts: ClusterParts | undefined

  /** @throws InvalidConfigError naming the option at fault */
  constructor (components: ClusterComponents, init: ClusterInit) {
    super()
    this.options = resolveClusterInit(init)
    this.clock = components.clock ?? systemClock
    this.logger = components.logger ?? createLogger('cluster')
    this.createMdnsSocket = components.createMdnsSocket
    this.partsFactory = components.parts ?? realParts
    this.metrics = new PromMetrics()
    this.facade = new FacadeMetrics(this.metrics)
    this.board = new StateBoard({ emitter: this.emitter, metrics: this.facade, clock: this.clock })
    logLifecycle(this.emitter, this.logger)
    this.statusSource = new ClusterStatusSource({ node: this, clock: this.clock, emitter: this.emitter }, { clusterName: this.options.name, eventTypes: EVENT_TYPES })
    this.startedAt = this.clock.wallNow()
    this.shards = new ShardView(this.options.shards, () => this.run?.coordinator.committedMap)
    this.userEndpoints.weight = this.options.weight
    this.coordination = new ClusterCoordination({ clock: this.clock, logger: this.logger }, {
      token: this.options.token, tls: this.options.tls === undefined ? undefined : managementClientTls(this.options.tls)
    })
    this.messaging = new ClusterMessaging(messagingInit(this.options, {
      clock: this.clock, logger: this.logger, emitter: this.emitter, endpoints: this.userEndpoints, nodeId: () => this.nodeId, parts: () => this.parts
    }))
    this.managementSource = {
      ...managementSource(
        new NodeReadModel(this, this.clock, { clusterName: this.options.name, startedAt: this.startedAt }),
        new NodeCommands({
          node: this,
          running: () => {
            const run = this.running()
            return {
              raft: run.parts.raft,
              gossip: id => {
                const m = run.parts.swim.member(id)
                return m === undefined ? undefined : { alive: m.status === 'alive', raftAddress: m.tags.get(TAG_RAFT) }
              },
              receiveAck: (id, version) => run.loop.receiveAck(id, version)
            }
          }
        }),
        this.coordination.source
      ),
      ...this.messaging.commands()
    }
    this.userEndpoints.setInfoSource(() => this.messaging.infoTags())
  }

  /**
   * The cluster's shared key/value state, replicated through Raft (`get`,
   * `put`, `delete`, `list`, `watch`). (`state` is the node's own state.)
   */
  get sharedState (): SharedState { return this.coordination.state }

  /** The cluster's named locks: leases with fencing tokens (`acquire`, `release`, `list`). */
  get locks (): ClusterLocks { return this.coordination.locks }

  /** This node's id (after `start()`, or when given in the options). */
  get nodeId (): string {
    return this.parts?.nodeId ?? this.options.nodeId ?? ''
  }

  /** The node's state: Starting, Joining, Voting, Resharding, Operational, Stopping (or Invalid). */
  get state (): ClusterState { return this.board.state }

  /** The node's role: Leader, Follower (voter), NonVoter, NonMember (not in the Raft group). */
  get role (): ClusterRole { return this.board.role }

  /** True when this node bootstrapped the Raft group during this run (safe bootstrap picked it). */
  get bootstrapped (): boolean { return this.run?.loop.bootstrapped ?? false }

  /** The leader this node knows of, if any. */
  leader (): string | undefined { return this.board.leaderId }

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

  protected async onStart (_options: AbortOptions): Promise<void> {
    const o = this.options
    if (o.exposed.length > 0) this.logger.warn(`starting insecure on ${o.host}: ${o.exposed.join('; ')}`, { insecure: true })
    this.board.restart()
    const nodeId = await this.partsFactory.nodeId(o)
    const coordinatorInit = { nodeId, shardCount: o.shards, replicationFactor: o.replicationFactor, ackTimeoutMs: o.ackTimeoutMs, leaseMs: o.leaseMs }
    const coordinator = this.partsFactory.coordinator?.(coordinatorInit) ?? new ShardCoordinator(coordinatorInit)
    // The shard map is read through the run: the new coordinator serves from here on.
    this.run = undefined
    // The parts call back into the loop, which needs the parts: it is made right after them.
    const built: { loop?: ControlLoop } = {}
    // One measure of this process's scheduling delay for every part that accuses others on a timeout.
    const health = new LocalHealthMonitor(this.clock)
    const replica = new CoordinationReplica()
    const parts = await this.partsFactory.assemble(o, {
      nodeId,
      coordinator,
      coordination: replica,
      clock: this.clock,
      health,
      logger: this.logger,
      metrics: this.metrics,
      skippedEntries: this.facade.skippedEntries,
      source: this.managementSource,
      changed: () => { built.loop?.wake() },
      leaderManagementAddress: () => this.leaderManagementAddress(),
      createMdnsSocket: this.createMdnsSocket,
      readiness: () => ({ ready: this.state === 'Operational', detail: { state: this.state, role: this.role, nodeId: this.nodeId, leader: this.leader() } }),
      statusSource: this.statusSource
    })
    this.parts = parts
    const loop = new ControlLoop({
      parts, coordinator, clock: this.clock, health, logger: this.logger, board: this.board, emitter: this.emitter, metrics: this.facade, endpoints: this.userEndpoints
    }, { options: o })
    const clusterMetrics = new ClusterMetrics({ metrics: this.metrics, clock: this.clock }, { clusterName: o.name, nodeId })
    clusterMetrics.watchLiveness(parts.checker)
    const unhook = this.metrics.addCollectHook(() => { clusterMetrics.refresh() })
    built.loop = loop
    this.run = { parts, coordinator, loop, unhook, health }
    health.start()
    this.coordination.attach(parts, replica, { leaderAddress: () => this.leaderManagementAddress(), notLeader: () => notLeader(this) })
    // Raft first, SWIM (which publishes the rest) last. Awaited here, not in a helper: the order of
    // these steps among several nodes starting at once is what a simulation replays.
    // A port clash names the part and the port (PortInUseError), not a bare EADDRINUSE.
    await startPart('raft', o.host, o.raftPort, async () => { await parts.raft.start() })
    await startPart('liveness', o.host, o.livenessPort, async () => { await parts.endpoint.start() })
    await parts.checker.start()
    await startPart('management', o.host, o.managementPort, async () => { await parts.management.start() })
    await startPart('metrics', o.host, o.metricsPort, async () => { await parts.metricsServer?.start() })
    await startPart('gossip', o.host, o.swimPort, async () => { await parts.swim.start() })
    this.messaging.attach(parts.swim)
    parts.swim.setTags(this.userEndpoints.tags(parts, hasRaftState(parts)))
    loop.start()
    this.logger.info(`node ${nodeId} started`, { cluster: o.name, gossip: parts.swim.address(), raft: parts.transport.address, management: parts.management.endpoint(), metrics: parts.metricsServer?.url() })
    if (o.join.length > 0) void loop.join(o.join)
    if (parts.zeroconf !== undefined) {
      await parts.zeroconf.start({ swim: parts.swim.port(), mgmt: parts.management.address().port }, (id, address) => {
        if (this.parts === parts && parts.swim.status === 'started' && parts.swim.member(id) === undefined) void loop.join([address])
      })
      void parts.zeroconf.discover().then(addresses => { if (addresses.length > 0 && this.parts === parts) void loop.join(addresses) })
    }
  }

  protected async onStop (): Promise<void> {
    this.board.setState('Stopping')
    const run = this.run
    const p = this.parts
    if (run === undefined || p === undefined) return
    await this.coordination.detach(STOP_HANDOVER_MS)
    run.loop.halt()
    run.health.stop()
    p.acks.stop()
    run.unhook()
    if (run.loop.leading && p.raft.status === 'started') {
      // Hand over first, so the others need not wait out an election.
      try { await p.raft.transferLeadership(undefined, { timeoutMs: STOP_HANDOVER_MS }) } catch (err) { this.logger.debug('no leadership transfer', { error: String(err) }) }
    }
    run.loop.retire()
    if (p.swim.status === 'started') {
      try { await p.swim.leave({ timeoutMs: STOP_HANDOVER_MS }) } catch (err) { this.logger.debug('leave failed', { error: String(err) }) }
    }
    await p.zeroconf?.stop()
    this.messaging.detach()
    await p.swim.stop()
    await p.checker.stop()
    await p.endpoint.stop()
    await p.management.stop()
    await p.metricsServer?.stop()
    await p.raft.stop()
    await p.store.close()
    this.parts = undefined
    run.loop.detach()
    this.logger.info(`node ${p.nodeId} stopped`)
  }

  /**
   * Resolves when this node is Operational (at once when it is): `start()`
   * resolves once the parts listen, long before the cluster serves.
   * Rejects with `TimeoutError` after `timeoutMs`, `AbortError` when
   * `signal` fires.
   */
  async whenOperational (options: WhenOperationalOptions = {}): Promise<void> {
    await whenOperational(this, this.clock, options)
  }

  addEventListener<K extends keyof ClusterEvents & string>(type: K, listener: EventHandler<ClusterEvents[K]>, options?: ListenerOptions): void {
    this.emitter.addEventListener(type, listener, options)
  }

  removeEventListener<K extends keyof ClusterEvents & string>(type: K, listener: EventHandler<ClusterEvents[K]>): void {
    this.emitter.removeEventListener(type, listener)
  }

  /** Every event as a buffered async iterator of `{ type, detail }` until `signal` fires. */
  events (options: EventIteratorOptions = {}): AsyncIterableIterator<NodeEvent> {
    return eventIterator(this.emitter, EVENT_TYPES, options)
  }

  /**
   * Publishes an endpoint of this node as the SWIM tag `ep.<name>` (the
   * `ep.` prefix may be given or not). Before `start()` it is published at
   * start; after, the tags are updated at once.
   * @throws InvalidArgumentError for a bad name, an empty url, or a reserved name
   */
  setEndpoint (name: string, url: string): void {
    const bare = bareEndpointName(name)
    if (!ENDPOINT_NAME.test(bare)) throw new InvalidArgumentError(`"${name}" is not an endpoint name (letters, digits, . _ -)`)
    if (OWN_ENDPOINTS.includes(bare)) throw new InvalidArgumentError(`endpoint "${bare}" is the cluster's own`)
    if (typeof url !== 'string' || url === '') throw new InvalidArgumentError('an endpoint needs a non-empty address')
    this.userEndpoints.set(bare, url)
    const p = this.parts
    if (p !== undefined && p.swim.status === 'started') p.swim.setTags(this.userEndpoints.tags(p, hasRaftState(p)))
  }

  /** The address node `nodeId` publishes for endpoint `name` (with or without `ep.`), if any. */
  endpoint (nodeId: string, name: string): string | undefined {
    return this.parts?.swim.member(nodeId)?.tags.get(`ep.${bareEndpointName(name)}`)
  }

  /** Every endpoint of every live member, sorted by node id then name; with `name`, only that endpoint. */
  endpoints (name?: string): NodeEndpoint[] {
    return this.parts === undefined ? [] : listEndpoints(this.parts, name)
  }

  /**
   * Every node Raft or SWIM knows, sorted by id: suffrage, SWIM status,
   * liveness (known on the leader only; `Unknown` elsewhere) and endpoints.
   */
  nodes (): ClusterNode[] {
    return this.parts === undefined ? [] : listNodes(this.parts, this.leader(), this.role === 'Leader')
  }

  /** Members of the Raft group (voters and non-voters) and live SWIM members. @throws NotStartedError when not started */
  memberCounts (): { raft: number, swim: number } {
    const p = this.running().parts
    const config = p.raft.configuration()
    return { raft: config.voters.length + config.nonVoters.length, swim: p.swim.members().length }
  }

  /** This node's Raft term, commit and applied index, and voters in its configuration. @throws NotStartedError when not started */
  raftStatus (): { term: number, commitIndex: number, appliedIndex: number, voters: number } {
    const s = this.running().parts.raft.stats()
    return { term: s.term, commitIndex: s.commitIndex, appliedIndex: s.appliedIndex, voters: s.configuration.voters.length }
  }

  /** Where the management API listens (`host:port`). @throws NotStartedError when not started */
  managementAddress (): string { return this.running().parts.management.endpoint() }
  /** Where SWIM listens (`host:port`): what other nodes `join`. @throws NotStartedError when not started */
  swimAddress (): string { return this.running().parts.swim.address() }
  /** Where Raft listens (`host:port`). @throws NotStartedError when not started */
  raftAddress (): string { return this.running().parts.transport.address }
  /** Where the liveness endpoint listens. @throws NotStartedError when not started */
  livenessAddress (): { host: string, port: number } { return this.running().parts.endpoint.address() }
  /** The metrics URL, when a metrics port was given. @throws NotStartedError when not started */
  metricsUrl (): string | undefined { return this.running().parts.metricsServer?.url() }

  /**
   * The gossip encryption keys this node holds, base64, primary (the one
   * that encrypts) first; empty when gossip is not encrypted.
   */
  gossipKeys (): string[] {
    return this.options.keyring?.keys().map(k => k.toString('base64')) ?? []
  }

  /**
   * Installs a gossip key for decryption (Serf's `keys -install`). A key
   * rotation, run on every node in turn: install the new key everywhere,
   * then `useGossipKey` it everywhere, then `removeGossipKey` the old one
   * everywhere — no message is lost between steps. Changes are not written
   * to disk: a restarted node starts from its `gossipKeys` option.
   * @throws InvalidArgumentError for a malformed key, or when gossip is not encrypted
   */
  installGossipKey (key: KeyInput): void {
    this.keyring().addKey(key)
  }

  /**
   * Makes an installed key the one that encrypts (Serf's `keys -use`).
   * @throws InvalidArgumentError when the key is not installed, or when gossip is not encrypted
   */
  useGossipKey (key: KeyInput): void {
    this.keyring().useKey(key)
  }

  /**
   * Uninstalls a gossip key (Serf's `keys -remove`); removing an unknown one does nothing.
   * @throws InvalidArgumentError for the primary key, or when gossip is not encrypted
   */
  removeGossipKey (key: KeyInput): void {
    this.keyring().removeKey(key)
  }

  private keyring (): NonNullable<Cluster['options']['keyring']> {
    const keyring = this.options.keyring
    // Encryption cannot be switched on at runtime: every peer would have to switch at the same moment.
    if (keyring === undefined) throw new InvalidArgumentError('gossip is not encrypted: start the node with gossipKeys to rotate keys')
    return keyring
  }

  /**
   * Replaces this node's member info (EliasDB's MemberInfo): string keys
   * (letters, digits, `. _ -`) and values, published as SWIM tags
   * `info.<key>` at once (or at start). Every member reads it with
   * `memberInfo` / `membersInfo`; queries filter on it (`filterTags`).
   * @throws InvalidArgumentError for a bad key or value
   * @throws MemberInfoTooLargeError when the node's tags (endpoints included) would pass the 4 KiB tag budget
   */
  setMemberInfo (info: Record<string, string>): void { this.messaging.setMemberInfo(info) }
  /** A live member's info (this node's too), or undefined for a node not alive or unknown. */
  memberInfo (nodeId: string): MemberInfo | undefined { return this.messaging.memberInfo(nodeId) }
  /** Every live member's info, sorted by node id. */
  membersInfo (): Array<{ nodeId: string, info: MemberInfo }> { return this.messaging.membersInfo() }

  /**
   * Registers the handler of requests for `topic` on this node (EliasDB's
   * DataRequest), replacing any; returns a function that removes it.
   * @throws InvalidArgumentError for an empty or overlong topic
   */
  handle (topic: string, handler: RequestHandler): () => void { return this.messaging.requests.handle(topic, handler) }
  /**
   * Sends `payload` to `nodeId`'s handler for `topic` over the management
   * channel (TLS and the token proof when the cluster has them) and
   * resolves with its answer.
   * @throws UnknownNodeError, NoHandlerError, HandlerFailedError, RequestTooLargeError, TimeoutError, AbortError
   */
  async request (nodeId: string, topic: string, payload: Uint8Array, options?: RequestOptions): Promise<Uint8Array> {
    return await this.messaging.requests.request(nodeId, topic, payload, options)
  }

  /**
   * Fires a user event (Serf's): gossiped to every member, Lamport-ordered,
   * de-duplicated, and emitted there as `event:user` (here too).
   * @throws NotStartedError, InvalidArgumentError, PayloadTooLargeError (over the SWIM user payload limit, default 1 KiB)
   */
  fire (name: string, payload: Uint8Array, options?: FireOptions): UserEvent { return this.messaging.fire(name, payload, options) }
  /** Registers the handler that answers queries named `name` on this node, replacing any; returns a function that removes it. */
  handleQuery (name: string, handler: QueryHandler): () => void { return this.messaging.handleQuery(name, handler) }
  /**
   * Starts a query (Serf's): spread by gossip; each member passing the
   * filters acks and answers with its handler's bytes, straight to this
   * node. The iterator yields each responder's ack and response once,
   * and ends at `timeoutMs`, on `signal`, or once every filtered node responded.
   * @throws NotStartedError, InvalidArgumentError, PayloadTooLargeError, TooManyQueriesError
   */
  query (name: string, payload: Uint8Array, options?: QueryOptions): AsyncIterableIterator<QueryReply> { return this.messaging.query(name, payload, options) }

  /** Counters of the shard-map coordinator (proposals, commits, stale acks, ack timeouts). */
  coordinatorCounters (): Readonly<Record<string, number>> {
    return { ...(this.run?.coordinator.counters ?? {}) }
  }

  private leaderManagementAddress (): string | undefined {
    const leader = this.board.leaderId
    return leader === undefined ? undefined : this.parts?.swim.member(leader)?.tags.get(TAG_MANAGEMENT)
  }

  /** The current run, or NotStartedError. */
  private running (): NodeRun {
    if (this.parts === undefined || this.run === undefined) throw new NotStartedError('the cluster is not started')
    return this.run
  }
}

/** Creates a cluster node (not started). @throws InvalidConfigError naming the option at fault */
export function createCluster (init: ClusterInit, components: ClusterComponents = {}): Cluster {
  return new Cluster(components, init)
}
