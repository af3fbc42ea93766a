import type { EventHandler, Startable } from '@clusterfunk/core'
import type { LivenessEvents, NodeAddress, NodeStatus } from '@clusterfunk/liveness'
import type { FireOptions, Member, QueryInit, QueryMessage, SwimConfig, SwimEvents, Tags, UserEventMessage } from '@clusterfunk/swim'

/*
 * The parts of a node as the cluster core uses them: only what it calls.
 * The real parts (`Swim`, `LivenessChecker`, `LivenessEndpoint`,
 * `ManagementServer`, `AckSender`, `LevelStore`) satisfy these as they
 * are; simulated ones (`@clusterfunk/cluster/sim`) implement them on
 * virtual networks, so the same core runs in a deterministic simulation.
 */

/** A SWIM member (`Swim`). */
export interface SwimPart extends Startable {
  /** The advertised `host:port`: what other nodes `join`. */
  address: () => string
  /** The bound port (published by zeroconf). */
  port: () => number
  /** Live members (alive or suspect), this node included. */
  members: () => Member[]
  /** Every member known, tombstones included. */
  allMembers: () => Member[]
  member: (id: string) => Member | undefined
  localMember: () => Member
  setTags: (tags: Tags | Record<string, string>) => void
  /** Joins through these addresses; resolves with how many answered, rejects when none did. */
  join: (addresses: readonly string[]) => Promise<number>
  /** Announces a graceful leave; resolves true once it spread, false after `timeoutMs`. */
  leave: (options?: { timeoutMs?: number }) => Promise<boolean>
  addEventListener: <K extends keyof SwimEvents & string>(type: K, listener: EventHandler<SwimEvents[K]>) => void
  removeEventListener: <K extends keyof SwimEvents & string>(type: K, listener: EventHandler<SwimEvents[K]>) => void
  /** The protocol config (the tag budget, the user payload limit). */
  readonly config: SwimConfig
  /** Fires a user event through gossip. */
  fire: (name: string, payload: Uint8Array, options?: FireOptions) => UserEventMessage
  /** Starts a query through gossip; answers come as `user:query-response`. */
  query: (init: QueryInit) => QueryMessage
  /** Sends this node's query again straight to these members (a retry for those that have not acked). */
  resendQuery: (query: QueryMessage, nodes: readonly string[]) => void
  /** Answers a query (from `user:query`) to its origin. */
  respond: (query: QueryMessage, payload: Uint8Array) => void
}

/** The leader's liveness checker (`LivenessChecker`). */
export interface CheckerPart extends Startable {
  add: (id: string, address: NodeAddress, options?: { probeNow?: boolean }) => void
  remove: (id: string) => boolean
  clear: () => void
  nodeStatus: (id: string) => NodeStatus | undefined
  nodes: () => NodeStatus[]
  addEventListener: <K extends keyof LivenessEvents & string>(type: K, listener: EventHandler<LivenessEvents[K]>) => void
  removeEventListener: <K extends keyof LivenessEvents & string>(type: K, listener: EventHandler<LivenessEvents[K]>) => void
}

/** The node's liveness endpoint (`LivenessEndpoint`). */
export interface EndpointPart extends Startable {
  /** Where it answers probes (published as `ep.liveness`). */
  address: () => NodeAddress
}

/** Where the node answers management calls, acks among them (`ManagementServer`). */
export interface ManagementPart extends Startable {
  /** `host:port`, published as the management endpoint. */
  endpoint: () => string
  address: () => { port: number }
}

/** Sends the shard-map acks this node owes to the leader (`AckSender`). */
export interface AckPart {
  /** This node applied proposal `version`: tell the leader (retrying). */
  owe: (version: number) => void
  /** Stops sending and releases what it holds. */
  stop: () => void
}

/** The Raft log's storage, closed when the node stops (`LevelStore`). */
export interface StorePart {
  close: () => Promise<void> | void
}
