/** Where a node's liveness endpoint listens: an IP literal and a UDP port. */
export interface NodeAddress {
  host: string
  port: number
}

/**
 * What the checker believes of a node. A node starts `unknown` when added:
 * it has neither answered nor missed `retries` probes yet. Its first valid
 * reply makes it `alive`; `retries` consecutive misses make it `dead`.
 */
export type NodeState = 'unknown' | 'alive' | 'dead'

/** Payload of `node:dead`, emitted once when a node crosses `retries` consecutive misses. */
export interface NodeDeadEvent {
  nodeId: string
  address: NodeAddress
  /** Consecutive probes it missed (equals `retries` when emitted). */
  misses: number
  /** What it was before: never heard from, or alive. */
  previous: 'unknown' | 'alive'
  /** Its last measured round trip (ms), if it ever answered. */
  lastRttMs: number | undefined
  /** Clock time (ms, checker clock) of its last valid reply, if any. */
  lastReplyAt: number | undefined
}

/** Payload of `node:alive`, emitted once when a node answers after being unknown or dead. */
export interface NodeAliveEvent {
  nodeId: string
  address: NodeAddress
  /** Round trip of the reply that revived it (ms). */
  rttMs: number
  previous: 'unknown' | 'dead'
  /** How long it had been dead (ms), when `previous` is `dead`. */
  deadForMs: number | undefined
}

/** The checker's events. */
export interface LivenessEvents extends Record<string, unknown> {
  'node:dead': NodeDeadEvent
  'node:alive': NodeAliveEvent
}

/** One item of `LivenessChecker.events()`: a verdict and its payload. */
export type LivenessEventItem =
  | { type: 'node:dead', detail: NodeDeadEvent }
  | { type: 'node:alive', detail: NodeAliveEvent }

/** A snapshot of one tracked node. */
export interface NodeStatus {
  id: string
  address: NodeAddress
  state: NodeState
  /** Consecutive missed probes (0 after any valid reply). */
  misses: number
  /** Last measured round trip (ms), if any. */
  lastRttMs: number | undefined
  /** Moving average of the round trip (ms), if any. */
  rttAvgMs: number | undefined
  /** The timeout its next probe gets (ms). */
  timeoutMs: number
}
