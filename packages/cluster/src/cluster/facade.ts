import { InvalidArgumentError, NotStartedError, eventIterator, type EventHandler, type EventIteratorOptions, type ListenerOptions } from '@clusterfunk/core'
import type { ManagementSource, LivenessStatus, NodeEndpoint, Suffrage, SwimStatus } from '@clusterfunk/management'
import type { KeyInput } from '@clusterfunk/swim'
import { ClusterCore, type ClusterComponents } from './cluster.js'
import { TAG_LIVENESS, TAG_MANAGEMENT, TAG_RAFT, TAG_SWIM } from './leader.js'
import type { ClusterParts } from './parts.js'
import type { ClusterInit } from './options.js'
import { ClusterManagementSource } from './source.js'
import type { ClusterEvents, ClusterNode } from './types.js'

const SWIM_STATUS: Record<string, SwimStatus> = { alive: 'Alive', suspect: 'Suspect', dead: 'Dead', left: 'Left' }
const LIVENESS: Record<string, LivenessStatus> = { alive: 'Alive', dead: 'Dead', unknown: 'Unknown' }
const EVENT_TYPES: ReadonlyArray<keyof ClusterEvents & string> = [
  'state:change', 'role:change', 'leader:change', 'shards:change', 'reshard:done', 'node:join', 'node:leave', 'node:dead', 'node:alive'
]
const ENDPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/
/** Endpoint names (without `ep.`) the cluster publishes itself. */
const OWN_ENDPOINTS: readonly string[] = [TAG_SWIM, TAG_RAFT, TAG_LIVENESS, TAG_MANAGEMENT].map(tag => tag.slice('ep.'.length))

/**
 * A clusterfunk node: SWIM membership with endpoint tags, one Raft group,
 * the leader's liveness checker and the shard map committed through Raft
 * after every node acknowledged it; a gRPC management API, Prometheus
 * metrics and zeroconf. Create one with `createCluster(options)`, then
 * `start()`; `stop()` leaves the cluster and releases everything.
 */
export class Cluster extends ClusterCore {
  /** What the management server (and `funkctl`) reads and asks of this node. */
  readonly managementSource: ManagementSource

  /** @throws InvalidConfigError naming the option at fault */
  constructor (components: ClusterComponents, init: ClusterInit) {
    super(components, init)
    this.managementSource = new ClusterManagementSource({
      clusterName: this.options.name,
      startedAt: this.startedAt,
      clock: this.clock,
      nodeId: () => this.nodeId,
      state: () => this.state,
      role: () => this.role,
      leader: () => this.leader(),
      parts: () => this.running(),
      coordinator: () => this.coordinator,
      leading: () => this.coordinator?.isLeader === true,
      nodes: () => this.nodes(),
      endpoints: name => this.endpoints(name),
      managementAddressOf: id => this.managementAddressOf(id),
      events: signal => this.events(signal === undefined ? {} : { signal }),
      wake: () => { this.schedulePump() }
    })
  }

  addEventListener<K extends keyof ClusterEvents & string>(type: K, listener: EventHandler<ClusterEvents[K]>, options?: ListenerOptions): void {
    this.emitter.addEventListener(type, listener, options)
  }

  removeEventListener<K extends keyof ClusterEvents & string>(type: K, listener: EventHandler<ClusterEvents[K]>): void {
    this.emitter.removeEventListener(type, listener)
  }

  /** Every event as a buffered async iterator of `{ type, detail }` until `signal` fires. */
  events (options: EventIteratorOptions = {}): AsyncIterableIterator<{ type: keyof ClusterEvents & string, detail: ClusterEvents[keyof ClusterEvents & string] }> {
    return eventIterator(this.emitter, EVENT_TYPES, options)
  }

  /**
   * Publishes an endpoint of this node as the SWIM tag `ep.<name>` (the
   * `ep.` prefix may be given or not). Before `start()` it is published at
   * start; after, the tags are updated at once.
   * @throws InvalidArgumentError for a bad name, an empty url, or a reserved name
   */
  setEndpoint (name: string, url: string): void {
    const bare = name.startsWith('ep.') ? name.slice(3) : name
    if (!ENDPOINT_NAME.test(bare)) throw new InvalidArgumentError(`"${name}" is not an endpoint name (letters, digits, . _ -)`)
    if (OWN_ENDPOINTS.includes(bare)) throw new InvalidArgumentError(`endpoint "${bare}" is the cluster's own`)
    if (typeof url !== 'string' || url === '') throw new InvalidArgumentError('an endpoint needs a non-empty address')
    this.userEndpoints.set(bare, url)
    const p = this.parts
    if (p !== undefined && p.swim.status === 'started') p.swim.setTags(this.tags())
  }

  /** The address node `nodeId` publishes for endpoint `name` (with or without `ep.`), if any. */
  endpoint (nodeId: string, name: string): string | undefined {
    const bare = name.startsWith('ep.') ? name.slice(3) : name
    return this.parts?.swim.member(nodeId)?.tags.get(`ep.${bare}`)
  }

  /** Every endpoint of every alive member, sorted by node id then name; with `name`, only that endpoint. */
  endpoints (name?: string): NodeEndpoint[] {
    const p = this.parts
    if (p === undefined) return []
    const bare = name?.startsWith('ep.') === true ? name.slice(3) : name
    const out: NodeEndpoint[] = []
    for (const m of p.swim.members()) {
      for (const [tag, address] of m.tags) {
        if (!tag.startsWith('ep.')) continue
        const n = tag.slice(3)
        if (bare === undefined || n === bare) out.push({ nodeId: m.id, name: n, address })
      }
    }
    return out.sort((a, b) => a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  }

  /**
   * Every node Raft or SWIM knows, sorted by id: suffrage, SWIM status,
   * liveness (known on the leader only; `Unknown` elsewhere) and endpoints.
   */
  nodes (): ClusterNode[] {
    const p = this.parts
    if (p === undefined) return []
    const config = p.raft.configuration()
    const suffrage = new Map<string, Suffrage>()
    for (const m of config.voters) suffrage.set(m.id, 'Voter')
    for (const m of config.nonVoters) suffrage.set(m.id, 'NonVoter')
    const swim = new Map(p.swim.allMembers().map(m => [m.id, m]))
    const ids = [...new Set([...suffrage.keys(), ...swim.keys()])].sort()
    const leader = this.leader()
    return ids.map(id => {
      const member = swim.get(id)
      const endpoints: Record<string, string> = {}
      for (const [tag, address] of member?.tags ?? []) if (tag.startsWith('ep.')) endpoints[tag.slice(3)] = address
      const liveness = this.role === 'Leader' ? p.checker.nodeStatus(id)?.state : undefined
      return {
        id,
        suffrage: suffrage.get(id) ?? 'None',
        swim: member === undefined ? 'Unknown' : SWIM_STATUS[member.status] ?? 'Unknown',
        liveness: liveness === undefined ? 'Unknown' : LIVENESS[liveness] ?? 'Unknown',
        leader: id === leader,
        endpoints
      }
    })
  }

  /** Where the management API listens (`host:port`). @throws NotStartedError when not started */
  managementAddress (): string { return this.running().management.endpoint() }
  /** Where SWIM listens (`host:port`): what other nodes `join`. @throws NotStartedError when not started */
  swimAddress (): string { return this.running().swim.address() }
  /** Where Raft listens (`host:port`). @throws NotStartedError when not started */
  raftAddress (): string { return this.running().transport.address }
  /** Where the liveness endpoint listens. @throws NotStartedError when not started */
  livenessAddress (): { host: string, port: number } { return this.running().endpoint.address() }
  /** The metrics URL, when a metrics port was given. @throws NotStartedError when not started */
  metricsUrl (): string | undefined { return this.running().metricsServer?.url() }

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

  /** Counters of the shard-map coordinator (proposals, commits, stale acks, ack timeouts). */
  coordinatorCounters (): Readonly<Record<string, number>> {
    return { ...(this.coordinator?.counters ?? {}) }
  }

  protected running (): ClusterParts {
    if (this.parts === undefined) throw new NotStartedError('the cluster is not started')
    return this.parts
  }

  protected source (): ManagementSource {
    return this.managementSource
  }
}

/** Creates a cluster node (not started). @throws InvalidConfigError naming the option at fault */
export function createCluster (init: ClusterInit, components: ClusterComponents = {}): Cluster {
  return new Cluster(components, init)
}
