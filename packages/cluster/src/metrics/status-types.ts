/** One member as the status page shows it. */
export interface StatusMember {
  id: string
  /** `Voter`, `NonVoter` or `None`. */
  suffrage: string
  /** SWIM's word for it: `Alive`, `Suspect`, `Dead`, `Left`, `Unknown`. */
  swim: string
  /** The leader's liveness checker's word: `Alive`, `Dead`, `Unknown` (known on the leader only). */
  liveness: string
  leader: boolean
  /** Shards it owns in the committed map. */
  shards: number
  /** Its endpoints, name → address. */
  endpoints: Record<string, string>
}

/** One committed shard map, for the version history. */
export interface MapVersion {
  version: number
  /** Wall clock (ms) when this node saw it committed. */
  at: number
  /** Nodes in it. */
  nodes: number
  /** Shards this node gained and lost with it. */
  gained: number
  lost: number
}

/** One event on the page's live stream. */
export interface StatusEvent {
  type: string
  /** Wall clock (ms). */
  at: number
  detail: unknown
}

/** Everything the status page shows at one moment (`GET /status/data`, and each `snapshot` on the stream). */
export interface StatusSnapshot {
  clusterName: string
  nodeId: string
  state: string
  role: string
  leader: string | undefined
  shardCount: number
  mapVersion: number
  members: StatusMember[]
  history: MapVersion[]
  /** Wall clock (ms) of the snapshot. */
  at: number
}

/** What the status page reads of a node. */
export interface StatusPageSource {
  snapshot: () => StatusSnapshot
  /** The latest events, oldest first (bounded). */
  recentEvents: () => StatusEvent[]
  /** Calls `listener` on every event until the returned function is called. */
  subscribe: (listener: (event: StatusEvent) => void) => () => void
}
